// Fully offline: a JWKS and a policy document given up front, no request to Enforcer, ever.
import { createVerifier, toPredicate, toSql } from '@enforcer/node-verifier';
import { beforeAll, describe, expect, it } from 'vitest';
import { startEnforcer } from './support';

const enforcer = await startEnforcer();
let jwks: unknown;
let effective: unknown;
let requests = 0;
const noNetwork = (async () => {
  requests++;
  throw new Error('no network in this test');
}) as typeof fetch;

beforeAll(async () => {
  jwks = (await enforcer.api('GET', '/.well-known/jwks.json')).body;
  effective = (await enforcer.api('GET', '/policy', { apiKey: enforcer.apiKey })).body.effective;
});

const offlineVerifier = (options = {}) =>
  createVerifier({
    issuer: enforcer.issuer,
    audience: enforcer.audience,
    jwks: jwks as never,
    policy: effective as never,
    tenantId: enforcer.tenantId,
    fetch: noNetwork,
    now: () => enforcer.clock.now().getTime(),
    ...options,
  });

describe('offline verifier', () => {
  it('verifies, authorizes and filters without a single request', async () => {
    const verifier = offlineVerifier();
    const member = await enforcer.addAccount('member');
    const principal = await verifier.verify(member.token);
    expect(principal).toMatchObject({
      accountId: member.accountId,
      personId: member.personId,
      tenantId: enforcer.tenantId,
      sessionId: member.sessionId,
      roles: ['member'],
      groups: [],
      amr: ['otp'],
      grantVersion: 1,
    });
    expect(principal.expiresAt - principal.issuedAt).toBe(900);
    expect(
      Object.isFrozen(principal) && Object.isFrozen(principal.roles) && Object.isFrozen(principal.claims),
    ).toBe(true);
    expect(verifier.authorize(principal, 'tenants.read')).toEqual({
      allowed: true,
      reason: { kind: 'allowed_by_role', role: 'member', permission: 'tenants.read' },
    });
    expect(verifier.can(principal, 'groups.create')).toBe(false);
    const own = { type: 'account', attributes: { id: member.accountId, tenant_id: enforcer.tenantId } };
    expect(verifier.authorize(principal, 'accounts.read', own)).toEqual({
      allowed: true,
      reason: { kind: 'allowed_by_rule', rule: 'members-read-their-own-account' },
    });
    const plan = verifier.filter(principal, 'accounts.read', 'account');
    expect(toPredicate(plan)(own.attributes)).toBe(true);
    expect(toPredicate(plan)({ ...own.attributes, id: enforcer.owner.accountId })).toBe(false);
    expect(toSql(plan, { id: 'a.id', tenant_id: 'a.tenant_id' }).values).toEqual(
      expect.arrayContaining([enforcer.tenantId, member.accountId]),
    );
    expect(() => verifier.filter(principal, 'accounts.read', 'no_such_type')).toThrow(
      expect.objectContaining({ code: 'unknown_resource_type' }),
    );
    expect(await verifier.authorize(member.token, 'tenants.read')).toMatchObject({ allowed: true });
    expect(requests).toBe(0);
  });

  it('answers a token seen before from its cache (the same principal), and only until it expires', async () => {
    let now = enforcer.clock.now().getTime();
    const verifier = offlineVerifier({ now: () => now });
    const member = await enforcer.addAccount('member');
    const first = await verifier.verify(member.token);
    expect(await verifier.verify(member.token)).toBe(first);
    expect(await verifier.verify(` ${member.token}`.slice(1))).toBe(first); // keyed by content, not identity
    expect(verifier.status().cachedTokens).toBe(1);
    now = first.expiresAt * 1000 + 10_000;
    await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'expired' });
    expect(() => verifier.authorize(first, 'tenants.read')).toThrow(
      expect.objectContaining({ code: 'expired' }),
    );
  });

  it('status() tells what it was given: the JWKS key ids and a loaded policy document, nothing fetched', async () => {
    const verifier = offlineVerifier();
    await verifier.ready();
    const kids = (jwks as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    expect(kids.length).toBeGreaterThan(0);
    expect(verifier.status()).toEqual({
      keys: { source: 'jwks', kids, fetchedAt: undefined },
      policy: { source: 'document', loaded: true, etag: undefined, fetchedAt: undefined },
      revocations: undefined,
      cachedTokens: 0,
    });
    expect(requests).toBe(0);
  });

  it('decides only for principals it verified itself', async () => {
    const verifier = offlineVerifier();
    const other = offlineVerifier();
    const member = await enforcer.addAccount('member');
    const principal = await other.verify(member.token);
    expect(() => verifier.authorize(principal, 'tenants.read')).toThrow(TypeError);
    expect(() => verifier.authorize({ ...principal }, 'tenants.read')).toThrow(TypeError);
  });

  it('refuses a policy document that does not compile', () => {
    expect(() =>
      offlineVerifier({ policy: { version: 1, resources: {}, roles: {}, rules: [{ nope: 1 }] } }),
    ).toThrow(expect.objectContaining({ code: 'invalid_options' }));
  });

  it('refuses tokens of another tenant', async () => {
    const verifier = offlineVerifier({ tenantId: '00000000-0000-4000-8000-000000000000' });
    const member = await enforcer.addAccount('member');
    await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'wrong_tenant' });
  });
});
