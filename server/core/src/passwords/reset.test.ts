import { describe, expect, it } from 'vitest';
import type { HandlerContext } from '../api/handlers.js';
import type { Repositories } from '../store.js';
import { memoryFixture, refusal, TENANT_CODE, testClient } from '../testing/memory-fixture.js';
import { SignInThrottle } from '../throttle/sign-in-throttle.js';
import { passwordHandlers } from './handlers.js';
import { pbkdf2PasswordHasher } from './hashing.js';

const EMAIL = 'ada@example.com';
const NEW_PASSWORD = 'a brand new passphrase';

/** The reset routes over the memory database (persons, passwords, codes, sessions, MFA, audit tables). */
function setup() {
  const { clock, db, otp, seedTenant } = memoryFixture();
  const tenantId = seedTenant({ authProviders: ['password'] });
  const hasher = pbkdf2PasswordHasher({ iterations: 1_000 });
  const mailed: string[] = [];
  const handlers = passwordHandlers(db, {
    clock,
    hasher,
    throttle: new SignInThrottle({ clock, uow: db }),
    otp,
    mail: { send: async (message) => void mailed.push(message.text) },
    exposeCodes: true,
  });
  const ctx: HandlerContext = { caller: undefined, client: testClient };
  const request = async (email = EMAIL) => {
    const answer = await handlers.requestReset({ body: { email, tenant_code: TENANT_CODE } } as never, ctx);
    return (answer.body as { code: string }).code;
  };
  const confirm = (code: string, new_password = NEW_PASSWORD) =>
    handlers.confirmReset(
      { body: { email: EMAIL, tenant_code: TENANT_CODE, code, new_password } } as never,
      ctx,
    );
  /** A person with a password and a live session; verified or not. */
  const person = (verified: boolean) =>
    db.transaction(async (repos) => {
      const created = await repos.persons.create({
        email: EMAIL,
        emailVerifiedAt: verified ? clock.now() : null,
      });
      await repos.passwords.set(created.id, await hasher.hash('the old passphrase'), clock.now());
      await liveSession(repos, created.id);
      return created;
    });
  const liveSession = (repos: Repositories, personId: string) => {
    const now = clock.now();
    const id = crypto.randomUUID();
    return repos.sessions.insertSession(
      {
        id,
        accountId: crypto.randomUUID(),
        personId,
        tenantId,
        amr: ['pwd'],
        mfaAt: null,
        ip: null,
        userAgent: null,
        createdAt: now,
        lastUsedAt: now,
        absoluteExpiresAt: new Date(now.getTime() + 86_400_000),
        revokedAt: null,
        revokeReason: null,
      },
      {
        id: crypto.randomUUID(),
        sessionId: id,
        tokenHash: crypto.randomUUID(),
        parentId: null,
        replacedById: null,
        usedAt: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + 3_600_000),
      },
    );
  };
  const audit = () => db.tables.audit.map((e) => [e.action, e.details.reason ?? null]);
  const sessions = () => [...db.sessions.sessions.values()].map((s) => s.revokeReason);
  const passwordOf = (personId: string) => db.read((repos) => repos.passwords.find(personId));
  return { db, clock, hasher, request, confirm, person, audit, sessions, passwordOf, mailed };
}

describe('password reset (the core handlers)', () => {
  it('answers a known and an unknown email alike, mails the code, and audits each request', async () => {
    const { request, person, audit, mailed } = setup();
    await person(true);
    expect(await request()).toMatch(/^\d{6}$/);
    expect(await request('nobody@example.com')).toMatch(/^\d{6}$/);
    expect(mailed).toHaveLength(2);
    expect(mailed[0]).toContain('set a new password for Test');
    expect(audit()).toEqual([
      ['auth.password.reset_requested', null],
      ['auth.password.reset_requested', null],
    ]);
  });

  it('counts a wrong code with the throttle and audits it: both commit with the refusal', async () => {
    const { request, confirm, person, audit, db, sessions } = setup();
    await person(true);
    const code = await request();
    expect(await refusal(confirm(code === '000000' ? '111111' : '000000'))).toBe('invalid_otp');
    expect(audit().at(-1)).toEqual(['auth.password.reset_failed', 'wrong_code']);
    expect(db.tables.throttle.size).toBeGreaterThan(0);
    expect([...db.tables.otpChallenges.values()][0]!.attempts).toBe(1);
    expect(sessions()).toEqual([null]);
  });

  it('refuses a weak password before the code is tried (it costs no attempt)', async () => {
    const { request, confirm, person, db } = setup();
    await person(true);
    const code = await request();
    expect(await refusal(confirm(code, 'password123'))).toBe('weak_password');
    expect([...db.tables.otpChallenges.values()][0]!.attempts).toBe(0);
    expect(await refusal(confirm(code))).toBe('accepted');
  });

  it('sets the password and ends every session of the person; the code is single use', async () => {
    const { request, confirm, person, hasher, sessions, passwordOf, audit } = setup();
    const ada = await person(true);
    const code = await request();
    expect((await confirm(code)).body).toEqual({ reset: true, sessions_revoked: 1 });
    expect(sessions()).toEqual(['password_reset']);
    expect(await hasher.verify((await passwordOf(ada.id))!.hash, NEW_PASSWORD)).toBe(true);
    expect(audit().at(-1)).toEqual(['auth.password.reset', null]);
    expect(await refusal(confirm(code))).toBe('invalid_otp');
  });

  it('proves an unverified email: the password and TOTP set before the proof go, then the new password is set', async () => {
    const { request, confirm, person, db, clock, hasher, sessions, passwordOf, audit } = setup();
    const ada = await person(false);
    await db.transaction((repos) =>
      repos.mfa.saveTotp({
        id: crypto.randomUUID(),
        personId: ada.id,
        secretSealed: 'sealed',
        lastUsedStep: null,
        createdAt: clock.now(),
        enabledAt: clock.now(),
      }),
    );
    const code = await request();
    // The session ended by the first proof counts among the reset's.
    expect((await confirm(code)).body).toEqual({ reset: true, sessions_revoked: 1 });
    expect(sessions()).toEqual(['email_proven']);
    expect(await db.read((repos) => repos.mfa.findTotp(ada.id))).toBeNull();
    expect(await hasher.verify((await passwordOf(ada.id))!.hash, NEW_PASSWORD)).toBe(true);
    expect((await db.read((repos) => repos.persons.find(ada.id)))!.emailVerifiedAt).not.toBeNull();
    expect(
      audit()
        .slice(-2)
        .map(([action]) => action),
    ).toEqual(['auth.person.unproven_credentials_removed', 'auth.password.reset']);
  });

  it('creates a verified person, without an account, for a new email', async () => {
    const { request, confirm, db } = setup();
    expect((await confirm(await request())).body).toEqual({ reset: true, sessions_revoked: 0 });
    const created = await db.read((repos) => repos.persons.findByEmail(EMAIL));
    expect(created?.emailVerifiedAt).not.toBeNull();
    expect(db.tables.accounts.size).toBe(0);
  });

  it('refuses a tenant that does not accept passwords (403 provider_not_allowed) and an unknown one', async () => {
    const { request, db } = setup();
    for (const tenant of db.tables.tenants.values()) tenant.authProviders = ['email_otp'];
    expect(await refusal(request())).toBe('provider_not_allowed');
    db.tables.tenants.clear();
    expect(await refusal(request())).toBe('not_found');
  });
});
