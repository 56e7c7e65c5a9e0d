import { describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../errors.js';
import { TOTP_PERIOD_SECONDS, totpCode } from '../methods/totp.js';
import { webCryptoHashing, webCryptoRandom } from '../platform.js';
import { memoryFixture } from '../testing/memory-fixture.js';
import { accountKey } from '../throttle/rules.js';
import { SignInThrottle } from '../throttle/sign-in-throttle.js';
import { webCryptoSealer } from './sealer.js';
import { requireSecondFactor, SecondFactors } from './second-factor.js';

// The tables are the store contract suite's (test/stores/mfa.contract.ts); here: the rules over them.
const setup = () => {
  const { clock, advance, db } = memoryFixture();
  const person = {
    id: crypto.randomUUID(),
    email: 'ada@example.com',
    emailVerifiedAt: null,
    createdAt: clock.now(),
  };
  db.tables.persons.set(person.id, {
    id: person.id,
    email: person.email,
    emailVerified: false,
    createdAt: 0,
  });
  const sealer = webCryptoSealer();
  const throttle = new SignInThrottle({ clock, uow: db });
  const factors = new SecondFactors({
    clock,
    random: webCryptoRandom,
    sealer,
    recoveryCodeKey: webCryptoRandom.bytes(32),
    throttle,
  });
  const who = {
    personId: person.id,
    tenantId: crypto.randomUUID(),
    accountId: crypto.randomUUID(),
    client: { ip: null, userAgent: null },
  };
  const secret = 'JBSWY3DPEHPK3PXP';
  const codeAt = (offsetSteps = 0) =>
    totpCode(secret, Math.floor(clock.now().getTime() / 1000 / TOTP_PERIOD_SECONDS) + offsetSteps);
  /** A pending authenticator with `secret`, as enrollment leaves it. */
  const pending = async () =>
    db.transaction(async (repos) =>
      repos.mfa.saveTotp({
        id: crypto.randomUUID(),
        personId: person.id,
        secretSealed: await sealer.seal(secret, `totp/v1:${person.id}`),
        lastUsedStep: null,
        createdAt: clock.now(),
        enabledAt: null,
      }),
    );
  return { db, factors, who, person, codeAt, pending, advance };
};

describe('SecondFactors', () => {
  it('confirms with a code, answers ten recovery codes, and never takes a code of a used step again', async () => {
    const { db, factors, who, codeAt, pending, advance } = setup();
    await pending();
    const confirmed = await db.transaction(async (repos) =>
      factors.confirm(repos, { ...who, code: await codeAt() }),
    );
    expect(confirmed.ok && confirmed.value).toHaveLength(10);
    if (confirmed.ok)
      for (const code of confirmed.value) expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    expect(await db.read((repos) => factors.status(repos, who.personId))).toMatchObject({
      enabled: true,
      pending: false,
      recovery_codes_remaining: 10,
    });
    const check = async (code: string) =>
      db.transaction((repos) => factors.checkFactor(repos, who.personId, { code }));
    expect(await check(await codeAt())).toMatchObject({ ok: false, reason: 'replayed_code' });
    advance(TOTP_PERIOD_SECONDS);
    expect(await check(await codeAt())).toEqual({ ok: true, method: 'totp' });
  });

  it('spends a recovery code once, as people type it (o for 0, l for 1, no dashes)', async () => {
    const { db, factors, who, codeAt, pending } = setup();
    await pending();
    const confirmed = await db.transaction(async (repos) =>
      factors.confirm(repos, { ...who, code: await codeAt() }),
    );
    const code = confirmed.ok ? confirmed.value[0]! : '';
    const typed = code.replace(/-/g, '').replace(/0/g, 'o').replace(/1/g, 'l');
    const spend = (recovery_code: string) =>
      db.transaction((repos) => factors.checkFactor(repos, who.personId, { recovery_code }));
    expect(await spend(typed)).toEqual({ ok: true, method: 'recovery_code' });
    expect(await spend(code.replace(/-/g, ''))).toMatchObject({ ok: false, reason: 'wrong_recovery_code' });
    expect(await db.read((repos) => repos.mfa.recoveryCodesLeft(who.personId))).toBe(9);
  });

  it('a wrong code is refused and counted, and the count commits with the refusal', async () => {
    const { db, factors, who, person, pending } = setup();
    await pending();
    const refused = await db.transaction((repos) => factors.confirm(repos, { ...who, code: '000000' }));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.code).toBe('invalid_mfa_code');
    expect(db.tables.throttle.get(accountKey(who.tenantId, person.email))?.failures).toBe(1);
    expect(await db.read((repos) => factors.status(repos, who.personId))).toMatchObject({
      enabled: false,
      pending: true,
    });
  });
});

describe('requireSecondFactor', () => {
  it('asks nothing without TOTP on or after a passkey; otherwise records a challenge and answers mfa_required', async () => {
    const { db, factors, who, codeAt, pending } = setup();
    const deps = { clock: { now: () => db.now() }, random: webCryptoRandom };
    const input = { ...who, provider: 'password', amr: ['pwd'] };
    const gate = (amr: string[]) =>
      db.transaction((repos) => requireSecondFactor(repos, deps, { ...input, amr }));
    expect(await gate(['pwd'])).toBeNull();
    await pending();
    expect(await gate(['pwd'])).toBeNull(); // pending is not on
    await db.transaction(async (repos) => factors.confirm(repos, { ...who, code: await codeAt() }));
    expect(await gate(['hwk'])).toBeNull();
    const refusal = (await gate(['pwd'])) as AppError;
    expect(isAppError(refusal) && refusal.code).toBe('mfa_required');
    const token = refusal.extensions?.mfa_token as string;
    expect(token).toMatch(/^emt_[A-Za-z0-9_-]{43}$/);
    expect(refusal.extensions).toMatchObject({ mfa_methods: ['totp', 'recovery_code'] });
    const challenge = await db.read(async (repos) =>
      repos.mfa.findChallenge(await webCryptoHashing.sha256(token)),
    );
    expect(challenge).toMatchObject({
      personId: who.personId,
      provider: 'password',
      amr: ['pwd'],
      attempts: 0,
    });
  });
});
