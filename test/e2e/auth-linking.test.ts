import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { seedTenant as seedAdminTenant } from './admin-setup.js';
import { expectProblem, signIn, uniqueEmail } from './auth-fixtures.js';
import {
  fakePrivy,
  lastAudit,
  methodTenant,
  newWallet,
  SIWE_SETTINGS,
  siweBody,
  siweProof,
} from './auth-methods-fixtures.js';
import { startServer } from './harness.js';

// Linked identities: one person, several sign-in methods. Phone codes (development SMS: the code is in
// the answer) and wallets need no third party, so they carry these tests; each method's own suite covers
// linking it too.
const server = await startServer();
const { api, db } = server;
const tenant = await methodTenant(db, {
  providers: ['email_otp', 'phone_otp', 'siwe'],
  settings: { siwe: SIWE_SETTINGS },
});

let phoneCounter = 0;
const uniquePhone = () =>
  `+1415${String(Date.now() % 10_000).padStart(4, '0')}${String(++phoneCounter).padStart(3, '0')}`;

/** A code proving `phone` (requested without a tenant code). */
async function phoneCode(phone: string): Promise<string> {
  const response = await api('POST', '/auth/otp/request', { body: { phone } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.channel).toBe('sms');
  return response.body.code;
}

const linkPhone = async (token: string, phone: string, otp?: string) =>
  api('POST', '/auth/identities/phone', { token, body: { phone, otp: otp ?? (await phoneCode(phone)) } });

const phoneLogin = async (phone: string, tenantCode = tenant.code) => {
  const issued = await api('POST', '/auth/otp/request', { body: { phone, tenant_code: tenantCode } });
  return api('POST', '/auth/login', {
    body: { provider: 'phone_otp', phone, otp: issued.body.code, tenant_code: tenantCode },
  });
};

const siweLogin = async (wallet = newWallet()) => {
  const proof = await siweProof(api, tenant.code, wallet);
  const response = await api('POST', '/auth/login', {
    body: { provider: 'siwe', message: proof.message, signature: proof.signature, tenant_code: tenant.code },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};

describe('GET /auth/identities', () => {
  it("lists the person's methods: the primary email first", async () => {
    const email = uniqueEmail();
    const session = await signIn(api, email, tenant.code);
    const list = await api('GET', '/auth/identities', { token: session.token });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      {
        id: null,
        provider: 'email_otp',
        subject: email,
        email,
        verified_at: expect.any(String),
        created_at: expect.any(String),
        last_used_at: null,
      },
    ]);
  });

  it('needs a signed-in user', async () => {
    expectProblem(await api('GET', '/auth/identities'), 401, 'unauthenticated');
  });
});

describe('linking', () => {
  it('binds a proven phone to the signed-in person (201), is idempotent (200), and the phone then signs in as that person', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const phone = uniquePhone();
    const linked = await linkPhone(session.token, phone);
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    expect(linked.body).toMatchObject({ provider: 'phone_otp', subject: phone, email: null });
    expect((await lastAudit(db, 'auth.identity.linked'))?.targetId).toBe(linked.body.id);

    const again = await linkPhone(session.token, phone);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(linked.body.id);

    const list = await api('GET', '/auth/identities', { token: session.token });
    expect(list.body.data.map((m: { provider: string }) => m.provider)).toEqual(['email_otp', 'phone_otp']);

    const byPhone = await phoneLogin(phone);
    expect(byPhone.status, JSON.stringify(byPhone.body)).toBe(200);
    expect(byPhone.body.person.id).toBe(session.person.id);
    expect(byPhone.body.account.id).toBe(session.account.id);
  });

  it('binds a wallet (SIWE) to a person who signed in by email', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const wallet = newWallet();
    const proof = await siweProof(api, tenant.code, wallet);
    const linked = await api('POST', '/auth/identities/siwe', {
      token: session.token,
      body: siweBody(proof),
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    expect(linked.body.subject).toBe(getAddress(wallet.address));
    const byWallet = await siweLogin(wallet);
    expect(byWallet.person.id).toBe(session.person.id);
  });

  it('refuses an identity bound to another person (409 identity_already_linked), audited, and never moves it', async () => {
    const alice = await signIn(api, uniqueEmail('alice'), tenant.code);
    const bob = await signIn(api, uniqueEmail('bob'), tenant.code);
    const phone = uniquePhone();
    expect((await linkPhone(alice.token, phone)).status).toBe(201);
    expectProblem(await linkPhone(bob.token, phone), 409, 'identity_already_linked');
    const refused = await lastAudit(db, 'auth.identity.link_refused');
    expect(refused?.details).toMatchObject({ provider: 'phone_otp', reason: 'linked_to_other_person' });
    expect(refused?.actorId).toBe(bob.account.id);
    const row = await db.records('identities').one({ provider: 'phone_otp', subject: phone });
    expect(row.person.id).toBe(alice.person.id);

    // A wallet that signed itself up is a person of its own: it cannot be linked to someone else either.
    const wallet = newWallet();
    await siweLogin(wallet);
    const proof = await siweProof(api, tenant.code, wallet);
    expectProblem(
      await api('POST', '/auth/identities/siwe', { token: bob.token, body: siweBody(proof) }),
      409,
      'identity_already_linked',
    );
  });

  it('needs the proof: a wrong code is 401 invalid_otp (counted, audited), a reused SIWE nonce 401 challenge_invalid', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const phone = uniquePhone();
    const code = await phoneCode(phone);
    expectProblem(
      await linkPhone(session.token, phone, code === '000000' ? '111111' : '000000'),
      401,
      'invalid_otp',
    );
    expect((await lastAudit(db, 'auth.identity.link_refused'))?.details).toMatchObject({
      reason: 'wrong_code',
    });
    // A code proving the phone for a tenant sign-in does not prove it for linking (other purpose).
    const loginCode = (await api('POST', '/auth/otp/request', { body: { phone, tenant_code: tenant.code } }))
      .body.code;
    expectProblem(await linkPhone(session.token, phone, loginCode), 401, 'invalid_otp');
    expect((await linkPhone(session.token, phone, code)).status).toBe(201);

    const proof = await siweProof(api, tenant.code, newWallet());
    expect(
      (await api('POST', '/auth/identities/siwe', { token: session.token, body: siweBody(proof) })).status,
    ).toBe(201);
    expectProblem(
      await api('POST', '/auth/identities/siwe', { token: session.token, body: siweBody(proof) }),
      401,
      'challenge_invalid',
    );
  });

  it('is refused for a method the signed-in tenant does not accept (403), and for an API key (403)', async () => {
    const emailOnly = await methodTenant(db, { providers: ['email_otp'] });
    const session = await signIn(api, uniqueEmail(), emailOnly.code);
    const phone = uniquePhone();
    expectProblem(await linkPhone(session.token, phone), 403, 'provider_not_allowed');
    expectProblem(
      await api('POST', '/auth/identities/phone', { body: { phone, otp: '123456' } }),
      401,
      'unauthenticated',
    );
  });

  it('answers bad input with 400 problems', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    for (const body of [
      { phone: '555-0100', otp: '123456' },
      { phone: uniquePhone() },
      { phone: uniquePhone(), otp: '12' },
      {},
    ]) {
      expectProblem(
        await api('POST', '/auth/identities/phone', { token: session.token, body }),
        400,
        'validation_failed',
      );
    }
    expectProblem(
      await api('POST', '/auth/identities/siwe', { token: session.token, body: { message: 'x' } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api('DELETE', '/auth/identities/not-a-uuid', { token: session.token }),
      400,
      'validation_failed',
    );
  });
});

describe('unlinking', () => {
  it('removes a linked identity (204, audited); the method no longer signs in as that person', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const phone = uniquePhone();
    const linked = await linkPhone(session.token, phone);
    const removed = await api('DELETE', `/auth/identities/${linked.body.id}`, { token: session.token });
    expect(removed.status).toBe(204);
    expect((await lastAudit(db, 'auth.identity.unlinked'))?.targetId).toBe(linked.body.id);
    expectProblem(
      await api('DELETE', `/auth/identities/${linked.body.id}`, { token: session.token }),
      404,
      'not_found',
    );
    const byPhone = await phoneLogin(phone);
    expect(byPhone.status).toBe(200);
    expect(byPhone.body.person.id).not.toBe(session.person.id);
  });

  it("answers 404 for another person's identity, and leaves it alone", async () => {
    const alice = await signIn(api, uniqueEmail('alice'), tenant.code);
    const bob = await signIn(api, uniqueEmail('bob'), tenant.code);
    const linked = await linkPhone(alice.token, uniquePhone());
    expectProblem(
      await api('DELETE', `/auth/identities/${linked.body.id}`, { token: bob.token }),
      404,
      'not_found',
    );
    expect(await db.records('identities').count({ id: linked.body.id })).toBe(1);
  });

  it('refuses to remove the last way to sign in (409 last_identity)', async () => {
    const wallet = newWallet();
    const session = await siweLogin(wallet);
    const list = await api('GET', '/auth/identities', { token: session.token });
    expect(list.body.data).toHaveLength(1);
    const only = list.body.data[0];
    expectProblem(
      await api('DELETE', `/auth/identities/${only.id}`, { token: session.token }),
      409,
      'last_identity',
    );

    // With a second method, either one may go, but not both.
    const phone = uniquePhone();
    expect((await linkPhone(session.token, phone)).status).toBe(201);
    expect((await api('DELETE', `/auth/identities/${only.id}`, { token: session.token })).status).toBe(204);
    const rest = await api('GET', '/auth/identities', { token: session.token });
    expect(rest.body.data.map((m: { provider: string }) => m.provider)).toEqual(['phone_otp']);
    expectProblem(
      await api('DELETE', `/auth/identities/${rest.body.data[0].id}`, { token: session.token }),
      409,
      'last_identity',
    );
  });

  it('never lets two concurrent removals leave a person with nothing', async () => {
    const session = await siweLogin();
    expect((await linkPhone(session.token, uniquePhone())).status).toBe(201);
    const ids = (await api('GET', '/auth/identities', { token: session.token })).body.data.map(
      (m: { id: string }) => m.id,
    );
    const results = await Promise.all(
      ids.map((id: string) => api('DELETE', `/auth/identities/${id}`, { token: session.token })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    expect(await db.records('identities').count({ person: session.person.id })).toBe(1);
  });
});

describe('people without an email', () => {
  it('a phone-only person has no email, and joins other tenants like anyone', async () => {
    const phone = uniquePhone();
    const first = await phoneLogin(phone);
    expect(first.status).toBe(200);
    expect(first.body.person.email).toBeNull();
    expect(first.body.account.email).toBeNull();
    const me = await api('GET', '/auth/me', { token: first.body.token });
    expect(me.body.person.email).toBeNull();
    expect(me.body.session.amr).toEqual(['sms']);
    const other = await methodTenant(db, { providers: ['phone_otp'] });
    const joined = await api('POST', '/auth/tenant/join', {
      token: first.body.token,
      body: { tenant_code: other.code },
    });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    expect(joined.body.person.id).toBe(first.body.person.id);
  });
});

describe('tenant method settings (PATCH /tenants/{id} auth_settings)', async () => {
  const admin = await seedAdminTenant(server, 'Settings Co');
  const patch = (body: unknown, token = admin.owner.token) =>
    api('PATCH', `/tenants/${admin.tenant.id}`, { token, body });
  const passkey = { rp_id: 'example.com', origins: ['https://app.example.com', 'https://example.com'] };

  it('sets, replaces and removes each block; GET shows them; audited', async () => {
    const privy = await fakePrivy();
    const set = await patch({
      auth_settings: {
        passkey,
        google: { client_ids: ['web.apps.googleusercontent.com'] },
        siwe: SIWE_SETTINGS,
        privy: privy.settings,
      },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.auth_settings).toEqual({
      passkey,
      google: { client_ids: ['web.apps.googleusercontent.com'] },
      siwe: SIWE_SETTINGS,
      privy: { app_id: privy.appId, verification_key: privy.verificationKey.trim() },
    });
    expect((await lastAudit(db, 'tenant.updated'))?.details).toMatchObject({
      fields: ['auth_settings.passkey', 'auth_settings.google', 'auth_settings.siwe', 'auth_settings.privy'],
    });
    const replaced = await patch({
      auth_settings: { google: { client_ids: ['other.apps.googleusercontent.com'] }, siwe: null },
    });
    expect(replaced.body.auth_settings.google.client_ids).toEqual(['other.apps.googleusercontent.com']);
    expect(replaced.body.auth_settings.siwe).toBeUndefined();
    expect(replaced.body.auth_settings.passkey).toEqual(passkey);
    const read = await api('GET', `/tenants/${admin.tenant.id}`, { token: admin.member.token });
    expect(read.body.auth_settings.passkey).toEqual(passkey);
  });

  it('refuses settings that cannot work (400, naming the field)', async () => {
    const cases: Array<[unknown, string]> = [
      [
        { passkey: { rp_id: 'example.com', origins: ['https://evil.com'] } },
        'body.auth_settings.passkey.origins',
      ],
      [
        { passkey: { rp_id: 'example.com', origins: ['http://example.com'] } },
        'body.auth_settings.passkey.origins.0',
      ],
      [
        { passkey: { rp_id: 'example.com', origins: ['https://example.com/login'] } },
        'body.auth_settings.passkey.origins.0',
      ],
      [
        { passkey: { rp_id: 'https://example.com', origins: ['https://example.com'] } },
        'body.auth_settings.passkey.rp_id',
      ],
      [{ google: { client_ids: [] } }, 'body.auth_settings.google.client_ids'],
      [{ siwe: { ...SIWE_SETTINGS, chain_ids: [0] } }, 'body.auth_settings.siwe.chain_ids.0'],
      [
        { privy: { app_id: 'app', verification_key: 'not a key' } },
        'body.auth_settings.privy.verification_key',
      ],
      [{ magic: {} }, 'body.auth_settings'],
      [{}, 'body.auth_settings'],
    ];
    for (const [settings, path] of cases) {
      const response = await patch({ auth_settings: settings });
      expectProblem(response, 400, 'validation_failed');
      expect(
        response.body.errors.map((e: { path: string }) => e.path),
        JSON.stringify(settings),
      ).toContain(path);
    }
  });

  it('refuses a Privy key that parses as PEM but is not an ES256 public key', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    const response = await patch({
      auth_settings: { privy: { app_id: 'app', verification_key: String(rsa) } },
    });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors[0].path).toBe('body.auth_settings.privy.verification_key');
  });

  it('needs tenants.update (a member is 403)', async () => {
    expectProblem(await patch({ auth_settings: { passkey } }, admin.member.token), 403, 'forbidden');
  });
});
