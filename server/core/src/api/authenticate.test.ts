import type { RouteMetadata } from '@enforcer/contract';
import { compile } from '@enforcer/contract/policy';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  assertSessionLive,
  authenticatePlatformRoute,
  authenticateRoute,
  type Credential,
  readCredential,
  requireRoutePermission,
} from './authenticate.js';

const outcome = async (run: () => unknown): Promise<string> => {
  try {
    return `ok:${JSON.stringify(await run())}`;
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
};

describe('readCredential', () => {
  it.each([
    [{ apiKey: 'enf_abc', authorization: 'Bearer eyJ' }, 'ok:{"kind":"api_key","key":"enf_abc"}'],
    [{ apiKey: '', authorization: 'Bearer eyJ' }, 'ok:{"kind":"jwt","token":"eyJ"}'],
    [{ apiKey: null, authorization: 'bearer   enf_x  ' }, 'ok:{"kind":"api_key","key":"enf_x"}'],
    [{ apiKey: undefined, authorization: undefined }, 'ok:undefined'],
    [{ apiKey: 'enfp_x', authorization: undefined }, 'ok:{"kind":"platform","key":"enfp_x"}'],
    [{ apiKey: null, authorization: 'Bearer enfp_x' }, 'ok:{"kind":"platform","key":"enfp_x"}'],
    [{ apiKey: undefined, authorization: 'Basic dXNlcg==' }, 'unauthenticated'],
    [{ apiKey: undefined, authorization: 'Bearer a b' }, 'unauthenticated'],
  ])('%j → %s', async (headers, expected) => {
    expect(await outcome(() => readCredential(headers))).toBe(expected);
  });
});

describe('authenticateRoute', () => {
  const verifiers = {
    user: async (token: string) => {
      if (token !== 'good') throw new AppError('token_invalid');
      return 'user';
    },
    apiKey: async (key: string) => {
      if (key !== 'enf_good') throw new AppError('invalid_credentials');
      return 'key';
    },
    platform: async (key: string) => {
      if (key !== 'enfp_good') throw new AppError('invalid_credentials');
      return { kind: 'platform' as const, keyName: 'ops', scopes: ['platform.tenants.read' as const] };
    },
  };
  const meta = (m: Partial<RouteMetadata>) => ({ tag: 'T', auth: 'user', ...m }) as RouteMetadata;
  const jwt = (token: string): Credential => ({ kind: 'jwt', token });
  const key = (k: string): Credential => ({ kind: 'api_key', key: k });
  const platformKey = (k: string): Credential => ({ kind: 'platform', key: k });

  it.each([
    // Public routes: nothing is read, unless the route reads an optional user token.
    [{ auth: 'none' }, jwt('bad'), 'ok:undefined'],
    [{ auth: 'none', optionalUser: true }, jwt('good'), 'ok:"user"'],
    [{ auth: 'none', optionalUser: true }, jwt('bad'), 'token_invalid'],
    [{ auth: 'none', optionalUser: true }, key('enf_good'), 'ok:undefined'],
    // A credential is verified before it is refused for its kind.
    [{ auth: 'user' }, undefined, 'unauthenticated'],
    [{ auth: 'user' }, key('enf_bad'), 'invalid_credentials'],
    [{ auth: 'user' }, key('enf_good'), 'credential_not_allowed'],
    [{ auth: 'api_key' }, jwt('bad'), 'token_invalid'],
    [{ auth: 'api_key' }, jwt('good'), 'credential_not_allowed'],
    [{ auth: 'user_or_api_key' }, key('enf_good'), 'ok:"key"'],
    [{ auth: 'user_or_api_key' }, jwt('good'), 'ok:"user"'],
    // A platform key never reaches a tenant's route, and a bad one is still a 401.
    [{ auth: 'user_or_api_key' }, platformKey('enfp_good'), 'credential_not_allowed'],
    [{ auth: 'api_key' }, platformKey('enfp_bad'), 'invalid_credentials'],
    [{ auth: 'none' }, platformKey('enfp_bad'), 'ok:undefined'],
  ] as const)('%j with %j → %s', async (m, credential, expected) => {
    expect(await outcome(() => authenticateRoute(meta(m), credential, verifiers))).toBe(expected);
  });

  it.each([
    [{ auth: 'platform', permission: 'platform.tenants.read' }, undefined, 'unauthenticated'],
    [
      { auth: 'platform', permission: 'platform.tenants.read' },
      platformKey('enfp_bad'),
      'invalid_credentials',
    ],
    [
      { auth: 'platform', permission: 'platform.tenants.read' },
      platformKey('enfp_good'),
      'ok:{"kind":"platform","keyName":"ops","scopes":["platform.tenants.read"]}',
    ],
    // A key without the route's scope.
    [{ auth: 'platform', permission: 'platform.tenants.update' }, platformKey('enfp_good'), 'forbidden'],
    // A tenant's key or a user's token: verified (401 when bad), then refused.
    [{ auth: 'platform', permission: 'platform.tenants.read' }, key('enf_good'), 'credential_not_allowed'],
    [{ auth: 'platform', permission: 'platform.tenants.read' }, key('enf_bad'), 'invalid_credentials'],
    [{ auth: 'platform', permission: 'platform.tenants.read' }, jwt('good'), 'credential_not_allowed'],
    [{ auth: 'platform', permission: 'platform.tenants.read' }, jwt('bad'), 'token_invalid'],
  ] as const)('platform route %j with %j → %s', async (m, credential, expected) => {
    expect(await outcome(() => authenticatePlatformRoute(meta(m), credential, verifiers))).toBe(expected);
  });
});

describe('assertSessionLive', () => {
  const claims = { sub: 'a1', tenant_id: 't1' } as Parameters<typeof assertSessionLive>[0];
  const live = { revoked: false, accountId: 'a1', tenantId: 't1', accountActive: true };
  it.each([
    [live, 'ok:undefined'],
    [null, 'token_invalid'],
    [{ ...live, revoked: true }, 'token_invalid'],
    [{ ...live, accountId: 'a2' }, 'token_invalid'],
    [{ ...live, tenantId: 't2' }, 'token_invalid'],
    [{ ...live, accountActive: false }, 'account_inactive'],
  ])('%j → %s', async (state, expected) => {
    expect(await outcome(() => assertSessionLive(claims, state))).toBe(expected);
  });
});

describe('assertSessionLive with an impersonation session (#14)', () => {
  const own = { sub: 'a1', tenant_id: 't1' } as Parameters<typeof assertSessionLive>[0];
  const acted = { ...own, act: { sub: 'admin' } };
  const session = { revoked: false, accountId: 'a1', tenantId: 't1', accountActive: true };
  const impersonation = { ...session, actorAccountId: 'admin', actorActive: true };
  it.each([
    [acted, impersonation, 'ok:undefined'],
    // The actor is no longer active (or gone): the token stops at once.
    [acted, { ...impersonation, actorActive: false }, 'token_invalid'],
    [acted, { ...impersonation, actorActive: null }, 'token_invalid'],
    // A token must name its session's actor: none, another, or one where the session has none.
    [own, impersonation, 'token_invalid'],
    [{ ...own, act: { sub: 'someone' } }, impersonation, 'token_invalid'],
    [acted, session, 'token_invalid'],
    [own, { ...session, actorAccountId: null, actorActive: null }, 'ok:undefined'],
  ])('%j in %j → %s', async (claims, state, expected) => {
    expect(await outcome(() => assertSessionLive(claims, state))).toBe(expected);
  });
});

describe('requireRoutePermission', () => {
  const policy = compile({
    version: 1,
    resources: {},
    roles: { admin: { permissions: ['accounts.*'] }, member: { permissions: [] } },
    rules: [{ id: 'no-deletes-on-fridays', effect: 'deny', actions: ['accounts.delete'] }],
  });
  const subject = (role: string) => ({ id: 'a', tenant_id: 't', roles: [role], groups: [] });
  const refusal = (role: string, permission: string) => {
    try {
      requireRoutePermission(policy, subject(role), permission);
      return 'allowed';
    } catch (error) {
      const e = error as AppError;
      return { code: e.code, detail: e.message, ...e.extensions };
    }
  };

  it("answers forbidden with the engine's reason kind, never the rule's id", () => {
    expect(refusal('admin', 'accounts.read')).toBe('allowed');
    expect(refusal('member', 'accounts.read')).toEqual({
      code: 'forbidden',
      detail: 'Missing permission "accounts.read"',
      reason: 'no_matching_allow',
    });
    const denied = refusal('admin', 'accounts.delete');
    expect(denied).toMatchObject({ code: 'forbidden', reason: 'denied_by_rule' });
    expect(JSON.stringify(denied)).not.toContain('fridays');
  });
});
