import { ManualClock } from '@enforcer/server/testing';
import { describe, expect, it } from 'vitest';
import { expectProblem, signIn, uniqueEmail } from './auth-fixtures.js';
import {
  expectAuditReason,
  lastAudit,
  methodTenant,
  newWallet,
  SIWE_SETTINGS,
  siweBody,
  siweProof,
} from './auth-methods-fixtures.js';
import { startServer } from './harness.js';
import { SoftAuthenticator } from './soft-authenticator.js';

// Passkeys end to end over HTTP, with a software authenticator (soft-authenticator.ts) in place of the
// browser and the platform authenticator.
const ORIGIN = 'https://app.example.com';
const PASSKEY = { rp_id: 'example.com', rp_name: 'Acme Pay', origins: [ORIGIN, 'https://example.com'] };
const clock = new ManualClock(new Date());
const server = await startServer({ clock });
const { api, db } = server;
const tenant = await methodTenant(db, {
  providers: ['email_otp', 'passkey', 'siwe'],
  settings: { passkey: PASSKEY, siwe: SIWE_SETTINGS },
});

const registerBegin = (token: string, body: Record<string, unknown> = {}) =>
  api('POST', '/auth/passkey/register/begin', { token, body });
const registerFinish = (token: string, body: Record<string, unknown>) =>
  api('POST', '/auth/passkey/register/finish', { token, body });
const loginBegin = (body: Record<string, unknown> = {}) =>
  api('POST', '/auth/passkey/login/begin', { body: { tenant_code: tenant.code, ...body } });
const loginFinish = (challengeId: string, credential: unknown, tenantCode = tenant.code) =>
  api('POST', '/auth/passkey/login/finish', {
    body: { tenant_code: tenantCode, challenge_id: challengeId, credential },
  });

/** A person signed in by email, with a passkey registered on `authenticator`. */
async function withPasskey(authenticator = new SoftAuthenticator({ origin: ORIGIN })) {
  const session = await signIn(api, uniqueEmail('pk'), tenant.code);
  const begun = await registerBegin(session.token, { name: 'Laptop' });
  expect(begun.status, JSON.stringify(begun.body)).toBe(200);
  const made = authenticator.create(begun.body.options);
  const finished = await registerFinish(session.token, {
    challenge_id: begun.body.challenge_id,
    credential: made.response,
  });
  expect(finished.status, JSON.stringify(finished.body)).toBe(201);
  return { session, authenticator, credential: made.credential, row: finished.body };
}

/** Begins a discoverable login and answers it with the authenticator. */
async function passkeyLogin(
  authenticator: SoftAuthenticator,
  overrides: Parameters<SoftAuthenticator['get']>[1] = {},
) {
  const begun = await loginBegin();
  return loginFinish(begun.body.challenge_id, authenticator.get(begun.body.options, overrides));
}

describe('registering a passkey', () => {
  it('begins with creation options for the tenant relying party: 32-byte challenge, user id = person, UV and resident key required', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const begun = await registerBegin(session.token);
    expect(begun.status).toBe(200);
    const { options } = begun.body;
    expect(options.rp).toEqual({ id: 'example.com', name: 'Acme Pay' });
    expect(Buffer.from(options.challenge, 'base64url').length).toBe(32);
    expect(Buffer.from(options.user.id, 'base64url').toString()).toBe(session.person.id);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
    expect(options.attestation).toBe('none');
    expect(options.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toContain(-7);
    expect(new Date(begun.body.expires_at).getTime() - clock.now().getTime()).toBe(300_000);
    const other = await registerBegin(session.token);
    expect(other.body.options.challenge).not.toBe(options.challenge);
  });

  it('finishes with an attestation "none": the credential is stored, listed, audited, and excluded next time', async () => {
    const { session, credential, row } = await withPasskey();
    expect(row).toMatchObject({
      credential_id: credential.id.toString('base64url'),
      name: 'Laptop',
      rp_id: 'example.com',
      device_type: 'singleDevice',
      backed_up: false,
      transports: ['internal', 'hybrid'],
      last_used_at: null,
    });
    expect((await lastAudit(db, 'auth.passkey.registered'))?.targetId).toBe(row.id);
    const list = await api('GET', '/auth/passkey/credentials', { token: session.token });
    expect(list.body.data).toEqual([row]);
    const methods = await api('GET', '/auth/identities', { token: session.token });
    expect(methods.body.data.map((m: { provider: string }) => m.provider)).toEqual(['email_otp', 'passkey']);
    const next = await registerBegin(session.token);
    expect(next.body.options.excludeCredentials).toEqual([
      { id: credential.id.toString('base64url'), type: 'public-key', transports: ['internal', 'hybrid'] },
    ]);
    const stored = await db.records('passkeys').one(row.id);
    expect(stored.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('spends the challenge: a second finish with it is 401 challenge_invalid; so is an expired one', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const begun = await registerBegin(session.token);
    const first = authenticator.create(begun.body.options);
    expect(
      (
        await registerFinish(session.token, {
          challenge_id: begun.body.challenge_id,
          credential: first.response,
        })
      ).status,
    ).toBe(201);
    const second = authenticator.create(begun.body.options);
    expectProblem(
      await registerFinish(session.token, {
        challenge_id: begun.body.challenge_id,
        credential: second.response,
      }),
      401,
      'challenge_invalid',
    );

    const late = await registerBegin(session.token);
    clock.advance(301);
    expectProblem(
      await registerFinish(session.token, {
        challenge_id: late.body.challenge_id,
        credential: authenticator.create(late.body.options).response,
      }),
      401,
      'challenge_invalid',
    );
  });

  it("refuses another person's challenge (401 challenge_invalid)", async () => {
    const alice = await signIn(api, uniqueEmail('alice'), tenant.code);
    const bob = await signIn(api, uniqueEmail('bob'), tenant.code);
    const begun = await registerBegin(alice.token);
    const made = new SoftAuthenticator({ origin: ORIGIN }).create(begun.body.options);
    expectProblem(
      await registerFinish(bob.token, { challenge_id: begun.body.challenge_id, credential: made.response }),
      401,
      'challenge_invalid',
    );
  });

  it('refuses a wrong origin, a wrong relying party id, another challenge and no user verification (401, audited)', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const cases: Array<[Parameters<SoftAuthenticator['create']>[1], string]> = [
      [{ origin: 'https://evil.com' }, 'wrong_origin'],
      [{ origin: 'https://other.example.com' }, 'wrong_origin'],
      [{ rpId: 'evil.com' }, 'wrong_rp_id'],
      [{ challenge: Buffer.alloc(32, 7).toString('base64url') }, 'challenge_mismatch'],
      [{ noUserVerification: true }, 'user_not_verified'],
    ];
    for (const [overrides, reason] of cases) {
      const begun = await registerBegin(session.token);
      const made = new SoftAuthenticator({ origin: ORIGIN }).create(begun.body.options, overrides);
      expectProblem(
        await registerFinish(session.token, {
          challenge_id: begun.body.challenge_id,
          credential: made.response,
        }),
        401,
        'invalid_credentials',
      );
      await expectAuditReason(db, reason, 'auth.passkey.register_failed');
    }
    expect(await db.records('passkeys').count({ person: session.person.id })).toBe(0);
  });

  it('refuses a credential registered before (409 conflict)', async () => {
    const { session, authenticator, credential } = await withPasskey();
    const begun = await registerBegin(session.token);
    const again = authenticator.create(begun.body.options, { reuse: credential });
    expectProblem(
      await registerFinish(session.token, {
        challenge_id: begun.body.challenge_id,
        credential: again.response,
      }),
      409,
      'conflict',
    );
  });

  it('needs a signed-in user, a tenant that accepts passkeys and has configured them', async () => {
    expectProblem(await api('POST', '/auth/passkey/register/begin', { body: {} }), 401, 'unauthenticated');
    const emailOnly = await methodTenant(db, { providers: ['email_otp'], settings: { passkey: PASSKEY } });
    const a = await signIn(api, uniqueEmail(), emailOnly.code);
    expectProblem(await registerBegin(a.token), 403, 'provider_not_allowed');
    const unconfigured = await methodTenant(db, { providers: ['email_otp', 'passkey'] });
    const b = await signIn(api, uniqueEmail(), unconfigured.code);
    expectProblem(await registerBegin(b.token), 403, 'provider_not_configured');
  });
});

describe('signing in with a passkey', () => {
  it('works with a discoverable credential (no email): the credential owner is signed in, amr hwk, counter stored', async () => {
    const { session, authenticator, row } = await withPasskey();
    const begun = await loginBegin();
    expect(begun.status).toBe(200);
    expect(begun.body.options.rpId).toBe('example.com');
    expect(begun.body.options.allowCredentials ?? []).toEqual([]);
    expect(begun.body.options.userVerification).toBe('required');
    const response = await loginFinish(begun.body.challenge_id, authenticator.get(begun.body.options));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.person.id).toBe(session.person.id);
    expect(response.body.account.id).toBe(session.account.id);
    const me = await api('GET', '/auth/me', { token: response.body.token });
    expect(me.body.session.amr).toEqual(['hwk']);
    const stored = await db.records('passkeys').one(row.id);
    expect(stored.counter).toBe(1);
    expect(stored.lastUsedAt).not.toBeNull();
  });

  it('works through POST /auth/login with provider passkey too', async () => {
    const { session, authenticator } = await withPasskey();
    const begun = await loginBegin();
    const response = await api('POST', '/auth/login', {
      body: {
        provider: 'passkey',
        tenant_code: tenant.code,
        challenge_id: begun.body.challenge_id,
        credential: authenticator.get(begun.body.options),
      },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.person.id).toBe(session.person.id);
  });

  it("by email lists the person's passkeys; an unknown email gets a stand-in of the same shape, stable per email", async () => {
    const { session, authenticator, credential } = await withPasskey();
    const begun = await loginBegin({ email: session.person.email });
    expect(begun.body.options.allowCredentials).toEqual([
      { id: credential.id.toString('base64url'), type: 'public-key', transports: ['internal', 'hybrid'] },
    ]);
    expect((await loginFinish(begun.body.challenge_id, authenticator.get(begun.body.options))).status).toBe(
      200,
    );

    const stranger = uniqueEmail('nobody');
    const a = await loginBegin({ email: stranger });
    const b = await loginBegin({ email: stranger });
    const c = await loginBegin({ email: uniqueEmail('nobody') });
    expect(a.status).toBe(200);
    expect(a.body.options.allowCredentials).toHaveLength(1);
    expect(a.body.options.allowCredentials[0]).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      type: 'public-key',
      transports: ['internal', 'hybrid'],
    });
    expect(b.body.options.allowCredentials[0].id).toBe(a.body.options.allowCredentials[0].id);
    expect(c.body.options.allowCredentials[0].id).not.toBe(a.body.options.allowCredentials[0].id);
  });

  it("spends the challenge: the same assertion twice is 401 challenge_invalid; so is an expired or another tenant's challenge", async () => {
    const { authenticator } = await withPasskey();
    const begun = await loginBegin();
    const assertion = authenticator.get(begun.body.options);
    expect((await loginFinish(begun.body.challenge_id, assertion)).status).toBe(200);
    expectProblem(await loginFinish(begun.body.challenge_id, assertion), 401, 'challenge_invalid');

    const late = await loginBegin();
    clock.advance(301);
    expectProblem(
      await loginFinish(late.body.challenge_id, authenticator.get(late.body.options)),
      401,
      'challenge_invalid',
    );

    const other = await methodTenant(db, { providers: ['passkey'], settings: { passkey: PASSKEY } });
    const elsewhere = await api('POST', '/auth/passkey/login/begin', { body: { tenant_code: other.code } });
    expectProblem(
      await loginFinish(elsewhere.body.challenge_id, authenticator.get(elsewhere.body.options)),
      401,
      'challenge_invalid',
    );
  });

  it('refuses a wrong origin, a wrong relying party id, another challenge, a bad signature and no user verification', async () => {
    const { authenticator } = await withPasskey();
    const cases: Array<[Parameters<SoftAuthenticator['get']>[1], string]> = [
      [{ origin: 'https://evil.com' }, 'wrong_origin'],
      [{ rpId: 'evil.com' }, 'wrong_rp_id'],
      [{ challenge: Buffer.alloc(32, 9).toString('base64url') }, 'challenge_mismatch'],
      [{ noUserVerification: true }, 'user_not_verified'],
    ];
    for (const [overrides, reason] of cases) {
      expectProblem(await passkeyLogin(authenticator, overrides), 401, 'invalid_credentials');
      await expectAuditReason(db, reason);
    }
    const begun = await loginBegin();
    const assertion = authenticator.get(begun.body.options);
    const signature = Buffer.from(assertion.response.signature, 'base64url');
    const last = signature.length - 1;
    signature.writeUInt8(signature.readUInt8(last) ^ 0xff, last);
    assertion.response.signature = signature.toString('base64url');
    expectProblem(await loginFinish(begun.body.challenge_id, assertion), 401, 'invalid_credentials');
  });

  it('refuses a credential it does not know, and a user handle that is not its owner', async () => {
    const { authenticator } = await withPasskey();
    const stranger = new SoftAuthenticator({ origin: ORIGIN });
    stranger.create({
      rp: { id: 'example.com' },
      user: { id: Buffer.from('x').toString('base64url') },
      challenge: 'AA',
    });
    expectProblem(await passkeyLogin(stranger), 401, 'invalid_credentials');
    await expectAuditReason(db, 'unknown_credential');
    const begun = await loginBegin();
    const assertion = authenticator.get(begun.body.options);
    assertion.response.userHandle = Buffer.from('someone-else').toString('base64url');
    expectProblem(await loginFinish(begun.body.challenge_id, assertion), 401, 'invalid_credentials');
    await expectAuditReason(db, 'user_handle_mismatch');
  });

  it('refuses a signature counter that goes backwards (a cloned authenticator), and audits it', async () => {
    const { authenticator, credential, row } = await withPasskey();
    expect((await passkeyLogin(authenticator, { counter: 5 })).status).toBe(200);
    expectProblem(await passkeyLogin(authenticator, { counter: 5 }), 401, 'invalid_credentials');
    await expectAuditReason(db, 'counter_regression');
    const event = await lastAudit(db, 'auth.passkey.counter_regression');
    expect(event?.targetId).toBe(row.id);
    expect(event?.details).toMatchObject({ stored_counter: 5, presented_counter: 5 });
    expectProblem(await passkeyLogin(authenticator, { counter: 3 }), 401, 'invalid_credentials');
    expect((await db.records('passkeys').one(row.id)).counter).toBe(5);
    expect((await passkeyLogin(authenticator, { counter: 6, credential })).status).toBe(200);
  });

  it('with counter_regression: disable, refuses and removes the credential (audited); the original stops working too', async () => {
    const strict = await methodTenant(db, {
      providers: ['email_otp', 'passkey'],
      settings: { passkey: { ...PASSKEY, counter_regression: 'disable' } },
    });
    const session = await signIn(api, uniqueEmail('pk-strict'), strict.code);
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const begun = await registerBegin(session.token);
    const made = authenticator.create(begun.body.options);
    const row = (
      await registerFinish(session.token, {
        challenge_id: begun.body.challenge_id,
        credential: made.response,
      })
    ).body;
    const login = async (counter: number) => {
      const started = await api('POST', '/auth/passkey/login/begin', { body: { tenant_code: strict.code } });
      return loginFinish(
        started.body.challenge_id,
        authenticator.get(started.body.options, { counter }),
        strict.code,
      );
    };
    expect((await login(5)).status).toBe(200);
    expectProblem(await login(5), 401, 'invalid_credentials');
    const disabled = await lastAudit(db, 'auth.passkey.disabled');
    expect(disabled?.targetId).toBe(row.id);
    expect(disabled?.details).toMatchObject({ reason: 'counter_regression', person_id: session.person.id });
    expect((await api('GET', '/auth/passkey/credentials', { token: session.token })).body.data).toEqual([]);
    // The genuine authenticator, counting on, is refused as well: the credential is gone.
    expectProblem(await login(9), 401, 'invalid_credentials');
    await expectAuditReason(db, 'unknown_credential');
  });

  it('accepts authenticators that do not count (synced passkeys: always 0)', async () => {
    const { authenticator, row } = await withPasskey(
      new SoftAuthenticator({ origin: ORIGIN, counting: false }),
    );
    expect(row).toMatchObject({ device_type: 'multiDevice', backed_up: true });
    expect((await passkeyLogin(authenticator)).status).toBe(200);
    expect((await passkeyLogin(authenticator)).status).toBe(200);
  });

  it('is refused by a tenant that does not accept passkeys (403), and answers bad input with 400', async () => {
    const emailOnly = await methodTenant(db, { providers: ['email_otp'], settings: { passkey: PASSKEY } });
    expectProblem(
      await api('POST', '/auth/passkey/login/begin', { body: { tenant_code: emailOnly.code } }),
      403,
      'provider_not_allowed',
    );
    const { authenticator } = await withPasskey();
    const begun = await loginBegin();
    expectProblem(
      await loginFinish(begun.body.challenge_id, authenticator.get(begun.body.options), emailOnly.code),
      403,
      'provider_not_allowed',
    );

    const assertion = authenticator.get(begun.body.options);
    for (const body of [
      { tenant_code: tenant.code, challenge_id: 'nope', credential: assertion },
      { tenant_code: tenant.code, challenge_id: begun.body.challenge_id },
      {
        tenant_code: tenant.code,
        challenge_id: begun.body.challenge_id,
        credential: { ...assertion, type: 'password' },
      },
      {
        tenant_code: tenant.code,
        challenge_id: begun.body.challenge_id,
        credential: { ...assertion, response: { ...assertion.response, signature: 'not base64url!' } },
      },
    ]) {
      expectProblem(await api('POST', '/auth/passkey/login/finish', { body }), 400, 'validation_failed');
    }
    expectProblem(
      await api('POST', '/auth/passkey/login/begin', {
        body: { tenant_code: tenant.code, email: 'not-an-email' },
      }),
      400,
      'validation_failed',
    );
  });
});

describe('managing passkeys', () => {
  it('deletes one of your passkeys (204, audited); it no longer signs in', async () => {
    const { session, authenticator, row } = await withPasskey();
    expect(
      (await api('DELETE', `/auth/passkey/credentials/${row.id}`, { token: session.token })).status,
    ).toBe(204);
    expect((await lastAudit(db, 'auth.passkey.deleted'))?.targetId).toBe(row.id);
    expect((await api('GET', '/auth/passkey/credentials', { token: session.token })).body.data).toEqual([]);
    expectProblem(await passkeyLogin(authenticator), 401, 'invalid_credentials');
    expectProblem(
      await api('DELETE', `/auth/passkey/credentials/${row.id}`, { token: session.token }),
      404,
      'not_found',
    );
  });

  it("answers 404 for another person's passkey and 400 for a malformed id", async () => {
    const { row } = await withPasskey();
    const other = await signIn(api, uniqueEmail(), tenant.code);
    expectProblem(
      await api('DELETE', `/auth/passkey/credentials/${row.id}`, { token: other.token }),
      404,
      'not_found',
    );
    expectProblem(
      await api('DELETE', '/auth/passkey/credentials/123', { token: other.token }),
      400,
      'validation_failed',
    );
  });

  it('refuses to delete the last way to sign in (409 last_identity)', async () => {
    // A wallet person adds a passkey, then unlinks the wallet: the passkey is all that is left.
    const wallet = newWallet();
    const proof = await siweProof(api, tenant.code, wallet);
    const signedIn = await api('POST', '/auth/login', {
      body: { provider: 'siwe', ...siweBody(proof), tenant_code: tenant.code },
    });
    const token = signedIn.body.token;
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const begun = await registerBegin(token);
    const finished = await registerFinish(token, {
      challenge_id: begun.body.challenge_id,
      credential: authenticator.create(begun.body.options).response,
    });
    expect(finished.status).toBe(201);
    const methods = (await api('GET', '/auth/identities', { token })).body.data;
    const walletMethod = methods.find((m: { provider: string }) => m.provider === 'siwe');
    expect((await api('DELETE', `/auth/identities/${walletMethod.id}`, { token })).status).toBe(204);
    expectProblem(
      await api('DELETE', `/auth/passkey/credentials/${finished.body.id}`, { token }),
      409,
      'last_identity',
    );
    expectProblem(
      await api('DELETE', `/auth/identities/${finished.body.id}`, { token }),
      409,
      'last_identity',
    );
    // The passkey alone still signs the person in.
    const byPasskey = await passkeyLogin(authenticator);
    expect(byPasskey.body.person.id).toBe(signedIn.body.person.id);
  });
});
