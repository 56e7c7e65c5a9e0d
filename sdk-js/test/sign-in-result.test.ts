import { describe, expect, it } from 'vitest';
import { type Enforcer, EnforcerError, isEnforcerError, type SignInResult, unwrap } from '../src/index';
import { signedIn, useMockEnforcer } from './harness';

const h = useMockEnforcer();

/** The code an authenticator app shows now (the mock's clock). */
const codeNow = (secret: string) => h.mock.totpCode(secret);

/** A person with TOTP on, signed out again: the next sign-in needs a second factor. */
async function personWithTotp(enforcer: Enforcer) {
  const { email, tenantCode } = await signedIn(h, enforcer);
  const { secret } = await unwrap(enforcer.api.mfa.enroll());
  const { recovery_codes } = await unwrap(
    enforcer.api.mfa.confirm({ body: { code: await codeNow(secret) } }),
  );
  await enforcer.logout();
  // A code is good once: the next one is of a later time step.
  h.clock.advance(30);
  return { email, tenantCode, secret, recoveryCodes: recovery_codes };
}

const otpOf = async (enforcer: Enforcer, email: string, tenantCode: string) =>
  (await enforcer.requestOtp(email, { tenantCode })).code!;

describe('sign-in answers a result', () => {
  it('signed_in with the session when no second factor is needed', async () => {
    const enforcer = h.sdk();
    const tenant = h.mock.seed.tenant({ name: 'Result Co' });
    const email = 'plain@example.com';
    const result = await enforcer.signInWithOtp({
      email,
      otp: await otpOf(enforcer, email, tenant.code),
      tenantCode: tenant.code,
    });
    if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
    expect(result.session.account.email).toBe(email);
    expect(enforcer.getSnapshot()).toBe(result.session);
  });

  it('mfa_required with the token, expiry and methods; verify(code) signs in', async () => {
    const enforcer = h.sdk();
    const { email, tenantCode, secret } = await personWithTotp(enforcer);
    const result: SignInResult = await enforcer.signIn({
      provider: 'email_otp',
      email,
      otp: await otpOf(enforcer, email, tenantCode),
      tenant_code: tenantCode,
    });
    if (result.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${result.status}`);
    expect(result.mfaToken).toMatch(/^emt_/);
    expect(result.expiresAt).toBe(h.clock.now() + 5 * 60_000);
    expect(result.methods).toEqual(['totp', 'recovery_code']);
    expect(enforcer.getSnapshot().status).toBe('signed_out');

    const session = await result.verify({ code: await codeNow(secret) });
    expect(session.account.email).toBe(email);
    expect(session.amr).toEqual(expect.arrayContaining(['otp', 'mfa']));
    expect(enforcer.getSnapshot()).toBe(session);
  });

  it('a wrong code throws and the same result can be verified again; a recovery code works', async () => {
    const enforcer = h.sdk();
    const { email, tenantCode, recoveryCodes } = await personWithTotp(enforcer);
    const result = await enforcer.signInWithOtp({
      email,
      otp: await otpOf(enforcer, email, tenantCode),
      tenantCode,
    });
    if (result.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${result.status}`);
    const wrong = await result.verify({ code: '000000' }).catch((error: unknown) => error);
    expect(isEnforcerError(wrong, 'invalid_mfa_code')).toBe(true);
    expect(enforcer.getSnapshot().status).toBe('signed_out');
    const session = await result.verify({ recovery_code: recoveryCodes[0]! });
    expect(session.account.email).toBe(email);
  });

  it('failures still throw: a wrong emailed code is an EnforcerError, not a result', async () => {
    const enforcer = h.sdk();
    const tenant = h.mock.seed.tenant({ name: 'Failure Co' });
    await enforcer.requestOtp('wrong@example.com', { tenantCode: tenant.code });
    const error = await enforcer
      .signInWithOtp({ email: 'wrong@example.com', otp: '000000', tenantCode: tenant.code })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnforcerError);
    expect((error as EnforcerError).status).toBe(401);
  });

  it('the deprecated login()/loginWithOtp() keep throwing mfa_required with the token on the problem', async () => {
    const enforcer = h.sdk();
    const { email, tenantCode, secret } = await personWithTotp(enforcer);
    const error = await enforcer
      .loginWithOtp({ email, otp: await otpOf(enforcer, email, tenantCode), tenantCode })
      .catch((e: unknown) => e);
    if (!isEnforcerError(error, 'mfa_required')) throw new Error('expected mfa_required to be thrown');
    const session = await enforcer.verifyMfa(error.problem!.mfa_token!, { code: await codeNow(secret) });
    expect(session.account.email).toBe(email);
  });

  it('mfa_enrollment_required (the tenant requires MFA, the person has none) is a result: enroll() then confirm(code) signs in', async () => {
    const enforcer = h.sdk();
    const tenant = h.mock.seed.tenant({ name: 'Strict Co' });
    const { key } = h.mock.seed.apiKey({ tenant: tenant.code, role: 'admin' });
    const required = await fetch(`${h.mock.baseUrl}/api/v1/enforcer/tenants/${tenant.id}`, {
      method: 'PATCH',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ auth_settings: { mfa: { required: 'everyone' } } }),
    });
    expect(required.status).toBe(200);
    const email = 'strict@example.com';
    const result: SignInResult = await enforcer.signInWithOtp({
      email,
      otp: await otpOf(enforcer, email, tenant.code),
      tenantCode: tenant.code,
    });
    if (result.status !== 'mfa_enrollment_required') {
      throw new Error(`expected mfa_enrollment_required, got ${result.status}`);
    }
    expect(result.mfaToken).toMatch(/^emt_/);
    expect(result.expiresAt).toBe(h.clock.now() + 5 * 60_000);
    expect(result.methods).toEqual(['totp']);
    expect(enforcer.getSnapshot().status).toBe('signed_out');

    const enrollment = await result.enroll();
    expect(enrollment.qr_code).toMatch(/^data:image\/png;base64,/);
    expect(enrollment.otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
    // A wrong first code throws; the result stays usable.
    const wrong = await result.confirm('000000').catch((error: unknown) => error);
    expect(isEnforcerError(wrong, 'invalid_mfa_code')).toBe(true);
    expect(enforcer.getSnapshot().status).toBe('signed_out');

    const { session, recoveryCodes } = await result.confirm(await codeNow(enrollment.secret));
    expect(recoveryCodes).toHaveLength(10);
    expect(session.account.email).toBe(email);
    expect(session.amr).toEqual(expect.arrayContaining(['otp', 'totp', 'mfa']));
    expect(enforcer.getSnapshot()).toBe(session);

    // The token was for one sign-in: spent.
    const again = await enforcer
      .confirmMfaEnrollmentAtSignIn(result.mfaToken, '123456')
      .catch((e: unknown) => e);
    expect(isEnforcerError(again, 'mfa_token_invalid')).toBe(true);

    // Next time the person has a second factor: an ordinary mfa_required.
    await enforcer.logout();
    h.clock.advance(30);
    const next = await enforcer.signInWithOtp({
      email,
      otp: await otpOf(enforcer, email, tenant.code),
      tenantCode: tenant.code,
    });
    expect(next.status).toBe('mfa_required');
  });

  it('the deprecated login() keeps throwing mfa_enrollment_required with the token on the problem', async () => {
    const enforcer = h.sdk();
    const tenant = h.mock.seed.tenant({ name: 'Strict Two' });
    const { key } = h.mock.seed.apiKey({ tenant: tenant.code, role: 'admin' });
    await fetch(`${h.mock.baseUrl}/api/v1/enforcer/tenants/${tenant.id}`, {
      method: 'PATCH',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ auth_settings: { mfa: { required: 'everyone' } } }),
    });
    const email = 'legacy@example.com';
    const error = await enforcer
      .loginWithOtp({ email, otp: await otpOf(enforcer, email, tenant.code), tenantCode: tenant.code })
      .catch((e: unknown) => e);
    if (!isEnforcerError(error, 'mfa_enrollment_required'))
      throw new Error('expected mfa_enrollment_required');
    const enrollment = await enforcer.enrollMfaAtSignIn(error.problem!.mfa_token!);
    const { session } = await enforcer.confirmMfaEnrollmentAtSignIn(
      error.problem!.mfa_token!,
      await codeNow(enrollment.secret),
    );
    expect(session.account.email).toBe(email);
  });
});
