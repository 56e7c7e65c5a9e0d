import { describe, expect, it } from 'vitest';
import { memoryFixture } from '../testing/memory-fixture.js';
import {
  ACCOUNT_FREE_FAILURES,
  ACCOUNT_LOCK_FAILURES,
  accountKey,
  CLIENT_FREE_FAILURES,
  clientKey,
} from './rules.js';
import { SignInThrottle } from './sign-in-throttle.js';

// The counters are the store contract suite's (test/stores/throttle.contract.ts); here: what is audited.
const setup = () => {
  const { clock, advance, db } = memoryFixture();
  const throttle = new SignInThrottle({ clock, uow: db });
  const subject = {
    tenantId: 'tenant-1',
    identifier: 'someone@example.com',
    client: { ip: '192.0.2.1', userAgent: 'test' },
  };
  return { db, throttle, subject, advance };
};

describe('SignInThrottle', () => {
  it('audits the delays and the lockout it starts, with the failure count and the reason', async () => {
    const { db, throttle, subject, advance } = setup();
    for (let i = 1; i <= ACCOUNT_LOCK_FAILURES; i++) {
      await throttle.recordFailure(subject, 'wrong_password');
      advance(900);
    }
    const events = db.tables.audit;
    expect(events.filter((e) => e.action === 'auth.throttle.delayed')).toHaveLength(
      ACCOUNT_LOCK_FAILURES - ACCOUNT_FREE_FAILURES - 1,
    );
    expect(events.find((e) => e.action === 'auth.throttle.delayed')).toMatchObject({
      actorType: 'anonymous',
      tenantId: 'tenant-1',
      targetType: 'throttle',
      targetId: accountKey('tenant-1', 'someone@example.com'),
      ip: '192.0.2.1',
      userAgent: 'test',
      details: {
        identifier: 'someone@example.com',
        failures: ACCOUNT_FREE_FAILURES + 1,
        seconds: 30,
        reason: 'wrong_password',
      },
    });
    expect(events.filter((e) => e.action === 'auth.account.locked')).toEqual([
      expect.objectContaining({
        details: {
          identifier: 'someone@example.com',
          failures: ACCOUNT_LOCK_FAILURES,
          reason: 'wrong_password',
        },
      }),
    ]);
  });

  it('delays a client address that passed its free failures, whatever account it names next', async () => {
    const { db, throttle, subject } = setup();
    for (let i = 1; i <= CLIENT_FREE_FAILURES; i++) {
      await throttle.recordFailure({ ...subject, identifier: `guess-${i}@example.com` }, 'unknown_account');
    }
    const refused = await throttle.recordFailure(
      { ...subject, identifier: 'last@example.com' },
      'wrong_password',
    );
    expect(refused).toMatchObject({ code: 'rate_limited', headers: { 'retry-after': '60' } });
    expect((await throttle.gate({ ...subject, identifier: 'fresh@example.com' }))?.code).toBe('rate_limited');
    expect(db.tables.audit.at(-1)).toMatchObject({
      targetId: clientKey('192.0.2.1'),
      details: {
        client: '192.0.2.1',
        failures: CLIENT_FREE_FAILURES + 1,
        seconds: 60,
        reason: 'wrong_password',
      },
    });
    // Without an address (the mock), only the account is counted.
    expect(await throttle.gate({ ...subject, identifier: 'fresh@example.com', client: {} })).toBeUndefined();
  });
});
