import type { LoginBody } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { emailOtpSignIn } from '../methods/otp.js';
import { memoryFixture, refusal, TENANT_CODE, testClient } from '../testing/memory-fixture.js';
import { SignInThrottle } from '../throttle/sign-in-throttle.js';
import { type LoginDeps, login, type SecondFactorGate } from './login.js';

/** The login flow over the memory database (its persons, accounts, sessions and codes tables). */
function setup(options: { allowSignup?: boolean; secondFactor?: SecondFactorGate } = {}) {
  const { clock, db, otp, sessions: sessionTokens, seedTenant } = memoryFixture();
  const { sessions } = db;
  const accounts = db.tables.accounts;
  const tenantId = seedTenant({ authProviders: ['email_otp'], allowSignup: options.allowSignup ?? true });
  const deps: LoginDeps = {
    uow: db,
    clock,
    throttle: new SignInThrottle({ clock, uow: db }),
    methods: { email_otp: emailOtpSignIn({ otp }) },
    sessions: sessionTokens,
    onEmailFirstProven: async () => undefined,
    secondFactor: options.secondFactor ?? { require: async () => null },
  };
  const code = async (email: string) => {
    const issued = await otp.issue({ address: email, tenantId, purpose: 'login' });
    if (!issued.ok) throw new Error(issued.code);
    return issued.value.code;
  };
  const attempt = (body: Partial<LoginBody> & { otp: string }) =>
    login(
      deps,
      {
        provider: 'email_otp',
        email: 'ada@example.com',
        tenant_code: TENANT_CODE,
        ...body,
      } as LoginBody,
      testClient,
    );
  const audit = () => db.tables.audit.map((e) => [e.action, e.details.reason ?? null]);
  return { db, accounts, sessions, code, attempt, audit, tenantId };
}

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
