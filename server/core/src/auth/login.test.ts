import type { LoginBody } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import { OtpService } from '../codes/otp.js';
import { AppError } from '../errors.js';
import { emailOtpSignIn } from '../methods/otp.js';
import { webCryptoRandom } from '../platform.js';
import { RefreshTokenService } from '../sessions/refresh-tokens.js';
import { MemoryDatabase } from '../stores/memory/database.js';
import { MemorySigningKeys } from '../stores/memory/signing-keys.js';
import { SignInThrottle } from '../throttle/sign-in-throttle.js';
import { AccessTokenService } from '../tokens/access-tokens.js';
import { type LoginDeps, login, type SecondFactorGate } from './login.js';
import { SessionTokens } from './open-session.js';

/** The login flow over the memory database (its persons, accounts, sessions and codes tables). */
function setup(options: { allowSignup?: boolean; secondFactor?: SecondFactorGate } = {}) {
  const clock = { now: () => new Date(Date.UTC(2030, 0, 1)) };
  const db = new MemoryDatabase({ now: clock.now });
  const { sessions, codes } = db;
  const accounts = db.tables.accounts;
  const tenantId = crypto.randomUUID();
  db.tables.tenants.set(tenantId, {
    id: tenantId,
    code: 'TEST-CODE-0001',
    name: 'Test',
    logoUrl: null,
    theme: {},
    authProviders: ['email_otp'],
    allowSignup: options.allowSignup ?? true,
    authSettings: {},
    createdAt: 0,
    policy: {} as never, // not read by the login flow
    policyUpdatedAt: 0,
    policyVersion: 1,
  });
  const otp = new OtpService({ store: codes, clock, random: webCryptoRandom, codeKey: new Uint8Array(32) });
  const refresh = new RefreshTokenService({
    store: sessions,
    clock,
    random: webCryptoRandom,
    successorKey: new Uint8Array(32),
    idleTtlSeconds: 3600,
    absoluteTtlSeconds: 86_400,
    graceSeconds: 10,
  });
  const access = new AccessTokenService({
    keys: new MemorySigningKeys({ clock }),
    clock,
    random: webCryptoRandom,
    issuer: 'https://enforcer.test',
    audience: 'enforcer',
    ttlSeconds: 900,
    clockToleranceSeconds: 10,
  });
  const deps: LoginDeps = {
    uow: db,
    clock,
    throttle: new SignInThrottle({ clock, uow: db }),
    methods: { email_otp: emailOtpSignIn({ otp }) },
    sessions: new SessionTokens({ access, refresh, uow: db }),
    onEmailFirstProven: async () => undefined,
    secondFactor: options.secondFactor ?? { require: async () => null },
  };
  const code = async (email: string) => {
    const issued = await otp.issue({ address: email, tenantId, purpose: 'login' });
    if (!issued.ok) throw new Error(issued.code);
    return issued.value.code;
  };
  const client = { ip: '203.0.113.7', userAgent: 'test' };
  const attempt = (body: Partial<LoginBody> & { otp: string }) =>
    login(
      deps,
      {
        provider: 'email_otp',
        email: 'ada@example.com',
        tenant_code: 'TEST-CODE-0001',
        ...body,
      } as LoginBody,
      client,
    );
  const audit = () => db.tables.audit.map((e) => [e.action, e.details.reason ?? null]);
  return { db, accounts, sessions, code, attempt, audit, tenantId };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );

describe('the core login flow', () => {
  it('signs a new person up as a member, with a session; audited', async () => {
    const { attempt, code, audit, sessions } = setup();
    const tokens = await attempt({ otp: await code('ada@example.com') });
    expect(tokens.account.role).toBe('member');
    expect(tokens.person).toMatchObject({ email: 'ada@example.com', email_verified: true });
    expect(sessions.sessions.size).toBe(1);
    expect([...sessions.sessions.values()][0]!.amr).toEqual(['otp']);
    expect(audit()).toEqual([
      ['auth.account.created', null],
      ['auth.login.succeeded', null],
    ]);
  });

  it('refuses a provider the tenant does not accept, audited (the refusal commits)', async () => {
    const { attempt, audit } = setup();
    const body = { provider: 'password', password: 'x', otp: '' } as never;
    expect(await refusal(attempt(body))).toBe('provider_not_allowed');
    expect(audit()).toEqual([['auth.login.failed', 'provider_not_allowed']]);
  });

  it('counts a wrong code with the throttle and audits it', async () => {
    const { attempt, code, audit, db } = setup();
    await code('ada@example.com');
    expect(await refusal(attempt({ otp: '000000' }))).toBe('invalid_otp');
    expect(audit()).toEqual([['auth.login.failed', 'wrong_code']]);
    expect(db.tables.throttle.size).toBeGreaterThan(0);
  });

  it('an invite-only tenant refuses sign-up after the proof, and the right code is spent', async () => {
    const { attempt, code, audit, accounts } = setup({ allowSignup: false });
    const otp = await code('ada@example.com');
    expect(await refusal(attempt({ otp }))).toBe('signup_disabled');
    expect(await refusal(attempt({ otp }))).toBe('invalid_otp');
    expect(accounts.size).toBe(0);
    expect(audit()).toEqual([
      ['auth.login.failed', 'signup_disabled'],
      ['auth.login.failed', 'no_live_code'],
    ]);
  });

  it('opens no session while a second factor is due, and keeps what the login did', async () => {
    const mfa = new AppError('mfa_required', 'second factor', { extensions: { mfa_token: 'mfa_x' } });
    const { attempt, code, sessions, accounts } = setup({ secondFactor: { require: async () => mfa } });
    const error = await attempt({ otp: await code('ada@example.com') }).catch((e: unknown) => e);
    expect(error).toBe(mfa);
    expect(sessions.sessions.size).toBe(0);
    expect(accounts.size).toBe(1);
  });
});
