import { tenantCodeSchema } from '@enforcer/contract';
import {
  onePrivyTenant,
  PRIVY_AMR,
  privyBearerAccessClaims,
  privyBearerAppId,
  privySessionText,
  TENANT_HEADER,
  uuidFromBytes,
} from '@enforcer/core';
import type { AccessTokenClaims } from '../../session/claims';
import { MockError } from '../problem';
import type { AccountRow, MockStore, SessionRow, TenantRow } from '../store';
import type { MockTokens } from '../tokens';
import { checkPrivyToken } from './privy';
import { authSettingsOf } from './settings';

export { isPrivyToken, TENANT_HEADER } from '@enforcer/core';

const invalid = (detail: string) => new MockError('provider_token_invalid', detail);

/**
 * The server's `privyBearerClaims` (server/src/domains/auth/strategies/privy/bearer.ts): a Privy
 * access token in place of a user JWT. The tenant is the one named by `X-Enforcer-Tenant`, or else
 * the one tenant whose Privy app id is the token's audience; the token must verify with its settings;
 * the DID must have an account there. Each Privy session (tenant, DID, `sid`) is one session of the
 * mock, made on first use with `amr: ['privy']` and a deterministic id.
 */
export async function privyBearerClaims(
  store: MockStore,
  tokens: MockTokens,
  token: string,
  request: Request,
): Promise<AccessTokenClaims> {
  const tenant = bearerTenant(store, token, request.headers.get(TENANT_HEADER));
  if (!tenant.authProviders.includes('privy')) {
    throw new MockError('provider_not_allowed', 'This tenant does not accept Privy sign-in');
  }
  const settings = authSettingsOf(store, tenant.id).privy;
  if (!settings) throw new MockError('provider_not_configured', 'This tenant has not configured Privy');
  const check = await checkPrivyToken(store, token, settings, tokens.settings.clockTolerance);
  if (!check.ok) throw check.error;
  const { did, sid } = check.claims;

  const sessionId = await privySessionId(tenant.id, did, sid);
  let session = store.sessions.get(sessionId);
  if (!session) {
    const account = activeAccount(store, tenant.id, did);
    const now = new Date(store.now());
    const row: SessionRow = {
      id: sessionId,
      accountId: account.id,
      personId: account.personId,
      tenantId: tenant.id,
      amr: [...PRIVY_AMR],
      mfaAt: null,
      ip: null,
      userAgent: null,
      createdAt: now,
      lastUsedAt: now,
      absoluteExpiresAt: new Date(now.getTime() + tokens.settings.refreshAbsoluteTtl * 1000),
      revokedAt: null,
      revokeReason: null,
    };
    // Another request of the same Privy session may have made it while we awaited the hash.
    session = store.sessions.get(sessionId) ?? row;
    store.sessions.set(sessionId, session);
  }
  return privyBearerAccessClaims(check.claims, {
    id: sessionId,
    accountId: session.accountId,
    personId: session.personId,
    tenantId: session.tenantId,
  });
}

function bearerTenant(store: MockStore, token: string, header: string | null): TenantRow {
  if (header !== null && header !== '') {
    const code = tenantCodeSchema.safeParse(header);
    const tenant = code.success ? store.tenantByCode(code.data) : undefined;
    if (!tenant) throw invalid(`${TENANT_HEADER} names no tenant`);
    return tenant;
  }
  const appId = privyBearerAppId(token);
  if (!appId.ok) throw new MockError(appId.code, appId.detail);
  // As the server's query: the raw settings (`auth_settings -> 'privy' ->> 'app_id'`), at most two.
  const matches = [...store.tenants.values()].filter((t) => {
    const privy = t.authSettings.privy as { app_id?: unknown } | null | undefined;
    return privy?.app_id === appId.value;
  });
  const one = onePrivyTenant(matches.slice(0, 2));
  if (!one.ok) throw new MockError(one.code, one.detail);
  return one.value;
}

function activeAccount(store: MockStore, tenantId: string, did: string): AccountRow {
  const identity = [...store.identities.values()].find((i) => i.provider === 'privy' && i.subject === did);
  const account = identity
    ? [...store.accounts.values()].find((a) => a.personId === identity.personId && a.tenantId === tenantId)
    : undefined;
  if (!account) {
    throw new MockError(
      'not_a_member',
      'This Privy user has no account in this tenant: sign in with POST /auth/login (provider privy) first',
    );
  }
  if (!account.active) throw new MockError('account_inactive', 'This account has been deactivated');
  return account;
}

/** A uuid (version 8 layout) from a hash of the Privy session (the server uses an HMAC under its master key). */
async function privySessionId(tenantId: string, did: string, sid: string): Promise<string> {
  const text = privySessionText(tenantId, did, sid);
  return uuidFromBytes(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}
