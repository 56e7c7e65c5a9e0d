// The store contract of the sign-in throttle's counters: every ThrottleStore (memory, PostgreSQL) must pass
// it. Rules run through the core's SignInThrottle, so a store that passes throttles the same under the
// server and under the mock.
import {
  ACCOUNT_FREE_FAILURES,
  ACCOUNT_LOCK_FAILURES,
  type AppError,
  accountKey,
  CLIENT_FREE_FAILURES,
  CLIENT_WINDOW_SECONDS,
  type Clock,
  clientKey,
  countSend,
  type Send,
  SignInThrottle,
  type ThrottleSubject,
  type UnitOfWork,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface ThrottleStoreHarness {
  /** A unit of work whose repositories include `throttle` (and `audit`), on `clock`. */
  uow(clock: Clock): UnitOfWork;
}

class TestClock implements Clock {
  #ms = Date.UTC(2030, 0, 1);
  now = () => new Date(this.#ms);
  advance(seconds: number) {
    this.#ms += seconds * 1000;
  }
}

const answer = (error: AppError | undefined) =>
  error ? `${error.code}${error.headers?.['retry-after'] ? `/${error.headers['retry-after']}` : ''}` : 'none';

let clients = 0;
const uniqueIp = () => `10.${(clients >> 8) & 255}.${++clients & 255}.${Math.floor(Math.random() * 250)}`;

export function throttleStoreContract(name: string, harness: () => ThrottleStoreHarness): void {
  describe(`ThrottleStore contract: ${name}`, () => {
    const setup = () => {
      const clock = new TestClock();
      const uow = harness().uow(clock);
      const throttle = new SignInThrottle({ clock, uow });
      const tenantId = crypto.randomUUID();
      const subject: ThrottleSubject = {
        tenantId,
        identifier: `someone-${crypto.randomUUID()}@example.com`,
        client: {},
      };
      const counter = (key: string) => uow.read((repos) => repos.throttle.read(key));
      const fail = (s = subject) => throttle.recordFailure(s, 'wrong_password').then(answer);
      const gate = (s = subject) => throttle.gate(s).then(answer);
      return { clock, uow, throttle, subject, tenantId, counter, fail, gate };
    };

    it('counts failures per tenant and identifier; the first five are free', async () => {
      const { subject, counter, fail, gate, throttle } = setup();
      const key = accountKey(subject.tenantId, subject.identifier!);
      expect(await counter(key)).toBeNull();
      for (let i = 1; i <= ACCOUNT_FREE_FAILURES; i++) {
        expect(await fail()).toBe('none');
        expect(await gate()).toBe('none');
      }
      expect(await counter(key)).toMatchObject({
        key,
        kind: 'account',
        tenantId: subject.tenantId,
        identifier: subject.identifier,
        failures: ACCOUNT_FREE_FAILURES,
        blockedUntil: null,
        lockedAt: null,
      });
      // The same identifier in another tenant is another counter.
      const elsewhere = { ...subject, tenantId: crypto.randomUUID() };
      expect(await gate(elsewhere)).toBe('none');
      expect(await counter(accountKey(elsewhere.tenantId, subject.identifier!))).toBeNull();
      // A completed sign-in starts the count again.
      await throttle.recordSuccess(subject);
      expect((await counter(key))?.failures).toBe(0);
      for (let i = 1; i <= ACCOUNT_FREE_FAILURES; i++) expect(await fail()).toBe('none');
    });

    it('delays further failures along the ladder: 30 s doubling up to 15 min', async () => {
      const { clock, fail, gate } = setup();
      for (let i = 1; i <= ACCOUNT_FREE_FAILURES; i++) await fail();
      const ladder: string[] = [];
      const gates: string[] = [];
      for (let i = ACCOUNT_FREE_FAILURES + 1; i < ACCOUNT_LOCK_FAILURES; i++) {
        const refused = await fail();
        ladder.push(refused);
        gates.push(await gate());
        clock.advance(Number(refused.split('/')[1]));
        expect(await gate()).toBe('none');
      }
      expect(ladder).toEqual([
        'rate_limited/30',
        'rate_limited/60',
        'rate_limited/120',
        'rate_limited/240',
        'rate_limited/480',
        'rate_limited/900',
        'rate_limited/900',
        'rate_limited/900',
        'rate_limited/900',
      ]);
      expect(gates).toEqual(ladder);
    });

    it('locks the account at the 15th failure until an unlock; a success does not lift it', async () => {
      const { clock, subject, throttle, counter, fail, gate } = setup();
      const key = accountKey(subject.tenantId, subject.identifier!);
      for (let i = 1; i < ACCOUNT_LOCK_FAILURES; i++) await fail();
      expect(await fail()).toBe('account_locked');
      expect(await counter(key)).toMatchObject({ failures: ACCOUNT_LOCK_FAILURES, blockedUntil: null });
      expect((await counter(key))?.lockedAt).toEqual(clock.now());
      clock.advance(86_400);
      expect(await gate()).toBe('account_locked');
      expect(answer(await throttle.lockedOut(subject.tenantId, subject.identifier!))).toBe('account_locked');
      await throttle.recordSuccess(subject);
      expect(await gate()).toBe('account_locked');
      // Further failures are counted but change nothing.
      expect(await fail()).toBe('none');
      expect(await gate()).toBe('account_locked');
    });

    it('unlock lifts the lockout and any delay, and says what was in force', async () => {
      const { subject, throttle, counter, fail, gate } = setup();
      const { tenantId } = subject;
      const identifier = subject.identifier!;
      expect(await throttle.unlock(tenantId, identifier)).toEqual({ wasLocked: false, wasThrottled: false });
      expect(await counter(accountKey(tenantId, identifier))).toBeNull();
      for (let i = 1; i <= ACCOUNT_FREE_FAILURES + 1; i++) await fail();
      expect(await gate()).toBe('rate_limited/30');
      expect(await throttle.unlock(tenantId, identifier)).toEqual({ wasLocked: false, wasThrottled: true });
      expect(await gate()).toBe('none');
      for (let i = 1; i <= ACCOUNT_LOCK_FAILURES; i++) await fail();
      expect(await gate()).toBe('account_locked');
      expect(await throttle.unlock(tenantId, identifier)).toEqual({ wasLocked: true, wasThrottled: true });
      expect(await counter(accountKey(tenantId, identifier))).toMatchObject({
        failures: 0,
        blockedUntil: null,
        lockedAt: null,
      });
      expect(await gate()).toBe('none');
      expect(await throttle.lockedOut(tenantId, identifier)).toBeUndefined();
      expect(await throttle.unlock(tenantId, identifier)).toEqual({ wasLocked: false, wasThrottled: false });
    });

    it('counts a client address within its window only, and only delays it', async () => {
      const { clock, counter, fail, gate, tenantId } = setup();
      const ip = uniqueIp();
      // Nobody named (a passkey, a magic link): only the client is counted.
      const anonymous: ThrottleSubject = { tenantId, identifier: null, client: { ip, userAgent: 'test' } };
      const key = clientKey(ip);
      await fail(anonymous);
      await fail(anonymous);
      expect(await counter(key)).toMatchObject({
        kind: 'client',
        tenantId: null,
        identifier: null,
        failures: 2,
      });
      // Past the window, the count starts again.
      clock.advance(CLIENT_WINDOW_SECONDS + 1);
      await fail(anonymous);
      expect((await counter(key))?.failures).toBe(1);
      for (let i = 2; i <= CLIENT_FREE_FAILURES; i++) expect(await fail(anonymous)).toBe('none');
      expect(await fail(anonymous)).toBe('rate_limited/60');
      expect(await gate(anonymous)).toBe('rate_limited/60');
      // Another address, or the same one after the delay, passes.
      expect(await gate({ ...anonymous, client: { ip: uniqueIp() } })).toBe('none');
      clock.advance(60);
      expect(await gate(anonymous)).toBe('none');
      expect((await counter(key))?.lockedAt).toBeNull();
    });

    it('keeps nothing of a failure whose unit of work throws', async () => {
      const { uow, throttle, subject, counter } = setup();
      const key = accountKey(subject.tenantId, subject.identifier!);
      await throttle.recordFailure(subject, 'wrong_password');
      await expect(
        uow.transaction(async (repos) => {
          await throttle.gate(subject, repos);
          await throttle.recordFailure(subject, 'wrong_password', repos);
          expect((await repos.throttle.read(key))?.failures).toBe(2);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect((await counter(key))?.failures).toBe(1);
    });

    it('counts both of two concurrent failures, with or without the gate', async () => {
      const { uow, throttle, subject, counter } = setup();
      const key = accountKey(subject.tenantId, subject.identifier!);
      await Promise.all([
        throttle.recordFailure(subject, 'wrong_password'),
        throttle.recordFailure(subject, 'wrong_password'),
      ]);
      expect((await counter(key))?.failures).toBe(2);
      const attempt = () =>
        uow.transaction(async (repos) => {
          const refused = await throttle.gate(subject, repos);
          return refused ?? (await throttle.recordFailure(subject, 'wrong_password', repos));
        });
      await Promise.all([attempt(), attempt(), attempt(), attempt()]);
      expect((await counter(key))?.failures).toBe(6);
    });
  });
}

/**
 * The send limits (`countSend`) over a store's `sends` counters: per destination, per client address, per
 * tenant hour and SMS day, in fixed windows; a refused send spends nothing; concurrent sends never pass a limit.
 */
export function sendCounterStoreContract(name: string, harness: () => ThrottleStoreHarness): void {
  describe(`SendCounterStore contract: ${name}`, () => {
    const setup = () => {
      const clock = new TestClock();
      const uow = harness().uow(clock);
      const limits = { perDestinationPerHour: 2, perClientPerHour: 3 };
      const send = (overrides: Partial<Send>) =>
        uow
          .transaction((repos) =>
            countSend(
              repos,
              clock.now(),
              { channel: 'email', address: 'a@example.com', tenant: null, ip: null, ...overrides },
              limits,
            ),
          )
          .then(
            () => 'sent',
            (error: AppError) => answer(error),
          );
      return { clock, send };
    };
    const unique = (label: string) => `${label}-${crypto.randomUUID()}@example.com`;

    it('refuses the third code to one address in an hour with Retry-After, and allows it in the next hour', async () => {
      const { clock, send } = setup();
      const address = unique('dest');
      clock.advance(600); // ten minutes into the hour: the wait is the rest of it
      expect(await send({ address })).toBe('sent');
      expect(await send({ address })).toBe('sent');
      expect(await send({ address })).toBe('rate_limited/3000');
      // Another channel to the same string is another destination.
      expect(await send({ address, channel: 'sms' })).toBe('sent');
      clock.advance(3000);
      expect(await send({ address })).toBe('sent');
    });

    it('counts a client address across destinations (IPv6 by its /64); a refused send spends nothing', async () => {
      const { send } = setup();
      const ip = `2001:db8:${Math.floor(Math.random() * 65535).toString(16)}:1::1`;
      const sameNetwork = ip.replace('::1', '::abcd');
      const first = unique('c1');
      expect(await send({ address: first, ip })).toBe('sent');
      expect(await send({ address: first, ip: sameNetwork })).toBe('sent');
      // Over the destination limit: refused, and the client's count stays at 2.
      expect(await send({ address: first, ip })).toMatch(/^rate_limited\//);
      expect(await send({ address: unique('c2'), ip: sameNetwork })).toBe('sent');
      expect(await send({ address: unique('c3'), ip })).toMatch(/^rate_limited\//);
      // Another /64 is another client.
      expect(await send({ address: unique('c4'), ip: ip.replace(':1::1', ':2::1') })).toBe('sent');
    });

    it("spends the tenant's hour and, for SMS, its day", async () => {
      const { clock, send } = setup();
      const tenant = {
        id: crypto.randomUUID(),
        limits: { max_code_sends_per_hour: 3, max_sms_per_day: 2 },
      } as unknown as Send['tenant'];
      const phone = () => `+1555${Math.floor(1e6 + Math.random() * 8e6)}`;
      expect(await send({ tenant, channel: 'sms', address: phone() })).toBe('sent');
      expect(await send({ tenant, channel: 'sms', address: phone() })).toBe('sent');
      expect(await send({ tenant, channel: 'sms', address: phone() })).toMatch(/^rate_limited\//);
      expect(await send({ tenant, address: unique('t1') })).toBe('sent');
      expect(await send({ tenant, address: unique('t2') })).toMatch(/^rate_limited\//);
      clock.advance(3600);
      expect(await send({ tenant, address: unique('t3') })).toBe('sent');
      expect(await send({ tenant, channel: 'sms', address: phone() })).toMatch(/^rate_limited\//);
      clock.advance(24 * 3600);
      expect(await send({ tenant, channel: 'sms', address: phone() })).toBe('sent');
    });

    it('lets exactly the limit through when sends race', async () => {
      const { send } = setup();
      const address = unique('race');
      const answers = await Promise.all(Array.from({ length: 8 }, () => send({ address })));
      expect(answers.filter((a) => a === 'sent')).toHaveLength(2);
      expect(answers.filter((a) => a.startsWith('rate_limited'))).toHaveLength(6);
    });
  });
}
