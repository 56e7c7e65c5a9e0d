// Account metadata over HTTP (#14): admins set public and private metadata (PATCH /accounts/{id}), the user
// sets their own user_metadata (PATCH /auth/me/metadata) and reads public + user metadata (GET /auth/me),
// never private; merge semantics, size and shape refusals; and policy subject attributes sourced from
// public metadata, in decisions and in the access token's `attrs` claim, with mistyped values absent.
import { defaultPolicy } from '@enforcer/contract';
import type { PolicyDocument } from '@enforcer/contract/policy';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
});

const grantVersion = async (accountId: string) =>
  (await server.db.records('accounts').one(accountId)).grantVersion;

const patchAccount = (id: string, body: unknown, auth: { token?: string; apiKey?: string }) =>
  api('PATCH', `/accounts/${id}`, { ...auth, body });

describe('PATCH /accounts/{id}', () => {
  it('merges top-level keys, null removes one; admins read all three objects back', async () => {
    const m = await t.addAccount('member');
    const first = expectOk(
      await patchAccount(
        m.accountId,
        {
          public_metadata: { plan: 'pro', seats: 3, nested: { a: 1, b: 2 } },
          private_metadata: { crm_id: 'C-1' },
        },
        { token: t.admin.token },
      ),
    );
    expect(first).toMatchObject({
      id: m.accountId,
      public_metadata: { plan: 'pro', seats: 3, nested: { a: 1, b: 2 } },
      private_metadata: { crm_id: 'C-1' },
      user_metadata: {},
    });
    // A key given replaces the stored one whole (no deep merge), null removes, others stay.
    const second = expectOk(
      await patchAccount(
        m.accountId,
        { public_metadata: { seats: null, nested: { c: 3 } } },
        { apiKey: t.apiKey },
      ),
    );
    expect(second.public_metadata).toEqual({ plan: 'pro', nested: { c: 3 } });
    expect(second.private_metadata).toEqual({ crm_id: 'C-1' });
    const read = expectOk(await api('GET', `/accounts/${m.accountId}`, { apiKey: t.apiKey }));
    expect(read).toMatchObject({
      public_metadata: { plan: 'pro', nested: { c: 3 } },
      private_metadata: { crm_id: 'C-1' },
      user_metadata: {},
    });
    const listed = expectOk(
      await api('GET', `/accounts?email=${encodeURIComponent(m.email)}`, { apiKey: t.apiKey }),
    );
    expect(listed.data[0].private_metadata).toEqual({ crm_id: 'C-1' });
  });

  it('bumps the grant version for public metadata only, and audits the keys without their values', async () => {
    const m = await t.addAccount('member');
    const before = await grantVersion(m.accountId);
    expectOk(await patchAccount(m.accountId, { private_metadata: { note: 'secret' } }, { apiKey: t.apiKey }));
    expect(await grantVersion(m.accountId)).toBe(before);
    expectOk(await patchAccount(m.accountId, { public_metadata: { tier: 'gold' } }, { apiKey: t.apiKey }));
    expect(await grantVersion(m.accountId)).toBe(before + 1);
    const events = (await server.db.records('auditEvents').find({ tenantId: t.tenant.id })).filter(
      (e) => e.action === 'account.metadata.updated' && e.targetId === m.accountId,
    );
    expect(events.map((e) => e.details)).toEqual(
      expect.arrayContaining([{ private_fields: ['note'] }, { public_fields: ['tier'] }]),
    );
    expect(JSON.stringify(events)).not.toContain('secret');
  });

  it('refuses bad shapes and sizes with 400, writing nothing', async () => {
    const m = await t.addAccount('member');
    expectOk(await patchAccount(m.accountId, { public_metadata: { keep: true } }, { apiKey: t.apiKey }));
    const big = 'x'.repeat(5000);
    expectOk(await patchAccount(m.accountId, { public_metadata: { a: big } }, { apiKey: t.apiKey }));
    // 5000 + 5000 bytes merged pass 8 kB: nothing written.
    const tooLarge = expectProblem(
      await patchAccount(m.accountId, { public_metadata: { b: big } }, { apiKey: t.apiKey }),
      400,
      'metadata_too_large',
    );
    expectFieldError(tooLarge, 'body.public_metadata');
    expectProblem(
      await patchAccount(m.accountId, { private_metadata: { b: 'y'.repeat(9000) } }, { apiKey: t.apiKey }),
      400,
      'metadata_too_large',
    );
    // Six levels counting the metadata object itself: one too many.
    const deep = { l1: { l2: { l3: { l4: { l5: { l6: 1 } } } } } };
    const tooDeep = expectProblem(
      await patchAccount(m.accountId, { public_metadata: deep }, { apiKey: t.apiKey }),
      400,
      'validation_failed',
    );
    expectFieldError(tooDeep, 'body.public_metadata');
    for (const body of [
      {},
      { public_metadata: [1, 2] },
      { public_metadata: 'text' },
      { user_metadata: { a: 1 } },
      { public_metadata: { '': 1 } },
    ]) {
      expectProblem(await patchAccount(m.accountId, body, { apiKey: t.apiKey }), 400, 'validation_failed');
    }
    const after = expectOk(await api('GET', `/accounts/${m.accountId}`, { apiKey: t.apiKey }));
    expect(after.public_metadata).toEqual({ keep: true, a: big });
    expect(after.private_metadata).toEqual({});
  });

  it("needs accounts.update and reach over the role; another tenant's account is a 404", async () => {
    const m = await t.addAccount('member');
    // A member holds no accounts.update, not even for their own account.
    expectProblem(
      await patchAccount(m.accountId, { public_metadata: { kyc_level: 3 } }, { token: m.token }),
      403,
      'forbidden',
    );
    // An admin cannot change an owner's metadata (the owner's role grants more than admin holds).
    expectProblem(
      await patchAccount(t.owner.accountId, { private_metadata: { x: 1 } }, { token: t.admin.token }),
      403,
      'forbidden',
    );
    // Who may not change private metadata does not read it either: the admin reads the owner's account without it.
    expectOk(await patchAccount(t.owner.accountId, { private_metadata: { x: 1 } }, { token: t.owner.token }));
    const ownerByAdmin = expectOk(
      await api('GET', `/accounts/${t.owner.accountId}`, { token: t.admin.token }),
    );
    expect(ownerByAdmin).not.toHaveProperty('private_metadata');
    expect(ownerByAdmin.public_metadata).toEqual({});
    const ownerByOwner = expectOk(
      await api('GET', `/accounts/${t.owner.accountId}`, { token: t.owner.token }),
    );
    expect(ownerByOwner.private_metadata).toEqual({ x: 1 });
    const other = await seedTenant(server, 'Other Co');
    expectProblem(
      await patchAccount(other.member.accountId, { public_metadata: { x: 1 } }, { apiKey: t.apiKey }),
      404,
      'not_found',
    );
    expect(
      expectOk(await api('GET', `/accounts/${other.member.accountId}`, { apiKey: other.apiKey }))
        .public_metadata,
    ).toEqual({});
  });
});

describe('the user and their own metadata', () => {
  it('GET /auth/me shows public and user metadata, never private; PATCH /auth/me/metadata merges user_metadata', async () => {
    const m = await t.addAccount('member');
    expectOk(
      await patchAccount(
        m.accountId,
        { public_metadata: { plan: 'pro' }, private_metadata: { risk: 'high' } },
        { apiKey: t.apiKey },
      ),
    );
    const me = expectOk(await api('GET', '/auth/me', { token: m.token }));
    expect(me.account.public_metadata).toEqual({ plan: 'pro' });
    expect(me.account.user_metadata).toEqual({});
    expect(me.account).not.toHaveProperty('private_metadata');
    // Reading their own account through the account routes: no private metadata either.
    const own = expectOk(await api('GET', `/accounts/${m.accountId}`, { token: m.token }));
    expect(own.public_metadata).toEqual({ plan: 'pro' });
    expect(own).not.toHaveProperty('private_metadata');

    // User metadata never feeds a decision: no grant version bump.
    const before = await grantVersion(m.accountId);
    const set = expectOk(
      await api('PATCH', '/auth/me/metadata', {
        token: m.token,
        body: { user_metadata: { theme: 'dark', a: 1 } },
      }),
    );
    expect(await grantVersion(m.accountId)).toBe(before);
    expect(set.account.user_metadata).toEqual({ theme: 'dark', a: 1 });
    expect(set.account).not.toHaveProperty('private_metadata');
    const merged = expectOk(
      await api('PATCH', '/auth/me/metadata', { token: m.token, body: { user_metadata: { a: null } } }),
    );
    expect(merged.account.user_metadata).toEqual({ theme: 'dark' });
    // Admins see what the user wrote.
    expect(
      expectOk(await api('GET', `/accounts/${m.accountId}`, { apiKey: t.apiKey })).user_metadata,
    ).toEqual({
      theme: 'dark',
    });
  });

  it('cannot write public or private metadata, nor pass the size limit', async () => {
    const m = await t.addAccount('member');
    for (const body of [
      { public_metadata: { kyc_level: 3 } },
      { private_metadata: { x: 1 } },
      { user_metadata: { a: 1 }, public_metadata: { kyc_level: 3 } },
      { user_metadata: [1] },
      {},
    ]) {
      expectProblem(
        await api('PATCH', '/auth/me/metadata', { token: m.token, body }),
        400,
        'validation_failed',
      );
    }
    expectProblem(
      await api('PATCH', '/auth/me/metadata', {
        token: m.token,
        body: { user_metadata: { a: 'z'.repeat(9000) } },
      }),
      400,
      'metadata_too_large',
    );
    // An API key is not a user: the route is for the signed-in user only.
    expectProblem(
      await api('PATCH', '/auth/me/metadata', { apiKey: t.apiKey, body: { user_metadata: { a: 1 } } }),
      403,
      'credential_not_allowed',
    );
    const me = expectOk(await api('GET', '/auth/me', { token: m.token }));
    expect(me.account.public_metadata).toEqual({});
    expect(me.account.user_metadata).toEqual({});
  });
});

describe('subject attributes from public metadata', async () => {
  // "Transfers need KYC level 2": kyc_level comes from public_metadata.kyc_level.
  const tenant = await seedTenant(server, 'KYC Co');
  const policy: PolicyDocument = defaultPolicy();
  policy.subject_attributes = {
    kyc_level: { type: 'number', from: 'public_metadata.kyc_level' },
    country: 'string',
  };
  policy.rules = [
    ...(policy.rules ?? []),
    {
      id: 'transfers-need-kyc-2',
      effect: 'allow',
      actions: ['transfers.create'],
      condition: { gte: ['subject.attributes.kyc_level', 2] },
    },
  ];
  await server.db.updateTenant(tenant.tenant.id, { policy: policy as never, policyVersion: 2 });

  const authorize = (token: string) =>
    api('POST', '/authorize', { token, body: { action: 'transfers.create' } });
  const setKyc = async (accountId: string, publicMetadata: Record<string, unknown>) =>
    expectOk(await patchAccount(accountId, { public_metadata: publicMetadata }, { apiKey: tenant.apiKey }));

  it('decides with kyc_level as it is now, and mints it into the token as attrs', async () => {
    const m = await tenant.addAccount('member');
    const session = await server.signIn({ accountId: m.accountId });
    expect((await authorize(session.accessToken)).body.allowed).toBe(false);
    expect(decodeJwt(session.accessToken)).not.toHaveProperty('attrs');

    await setKyc(m.accountId, { kyc_level: 2, country: 'FR', secret_score: 9 });
    // The server decides with the account as it is now: the same token is allowed.
    expect((await authorize(session.accessToken)).body).toMatchObject({ allowed: true });
    const permissions = expectOk(await api('GET', '/auth/permissions', { token: session.accessToken }));
    // Undeclared keys (secret_score) and attributes without a source (country) never reach a decision.
    expect(permissions.subject.attributes).toEqual({ kyc_level: 2 });

    const refreshed = expectOk(
      await api('POST', '/auth/refresh', { body: { refresh_token: session.refreshToken } }),
    );
    expect(decodeJwt(refreshed.token).attrs).toEqual({ kyc_level: 2 });
    expect(refreshed.account).not.toHaveProperty('public_metadata');

    // A filter for the caller uses the same subject.
    const plan = expectOk(
      await api('POST', '/authorize/filter', {
        token: refreshed.token,
        body: { action: 'accounts.read', resource_type: 'account' },
      }),
    );
    expect(plan.plan).toBeDefined();

    // An owner impersonating the account gets a token with the same attrs (the verifier decides alike).
    const impersonated = expectOk(
      await api('POST', `/accounts/${m.accountId}/impersonate`, {
        token: tenant.owner.token,
        body: { reason: 'support ticket 7' },
      }),
    );
    expect(decodeJwt(impersonated.token).attrs).toEqual({ kyc_level: 2 });

    await setKyc(m.accountId, { kyc_level: 1 });
    expect((await authorize(refreshed.token)).body.allowed).toBe(false);
  });

  it('leaves a mistyped value out everywhere: "2" is no number', async () => {
    const m = await tenant.addAccount('member');
    await setKyc(m.accountId, { kyc_level: '2' });
    const session = await server.signIn({ accountId: m.accountId });
    expect((await authorize(session.accessToken)).body.allowed).toBe(false);
    const permissions = expectOk(await api('GET', '/auth/permissions', { token: session.accessToken }));
    expect(permissions.subject.attributes).toEqual({});
    expect(decodeJwt(session.accessToken)).not.toHaveProperty('attrs');
  });

  it('refuses a policy that sources a session attribute or private metadata', async () => {
    const current = expectOk(await api('GET', '/policy', { apiKey: tenant.apiKey }));
    const codes: unknown[] = [];
    for (const subject_attributes of [
      { mfa_at: { type: 'timestamp', from: 'public_metadata.mfa_at' } },
      { kyc_level: { type: 'number', from: 'private_metadata.kyc_level' } },
      { kyc_level: { type: 'number', from: 'user_metadata.kyc_level' } },
    ]) {
      const put = await api('PUT', '/policy', {
        token: tenant.owner.token,
        body: { ...current.document, subject_attributes },
      });
      codes.push([put.status, put.body.code, put.body.errors?.[0]?.path]);
    }
    // A session attribute with a source is the document's own check; another source fails its schema.
    expect(codes).toEqual([
      [400, 'invalid_policy', 'body.subject_attributes.mfa_at.from'],
      [400, 'validation_failed', 'body.subject_attributes.kyc_level.from'],
      [400, 'validation_failed', 'body.subject_attributes.kyc_level.from'],
    ]);
  });
});
