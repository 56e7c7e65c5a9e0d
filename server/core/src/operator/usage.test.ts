import { describe, expect, it } from 'vitest';
import type { UnitOfWork } from '../store.js';
import { type AuthorizeCallCount, AuthorizeCallCounter } from './usage.js';

/** A unit of work that only takes the counter's flush, keeping what it wrote. */
function recordingUow(written: AuthorizeCallCount[]): UnitOfWork {
  return {
    transaction: (work: (repos: never) => Promise<unknown>) =>
      work({
        usage: { addAuthorizeCalls: async (rows: AuthorizeCallCount[]) => written.push(...rows) },
      } as never),
  } as unknown as UnitOfWork;
}

describe('AuthorizeCallCounter', () => {
  it('counts per tenant and UTC day, the day changing at midnight (and back, for a clock moved back)', async () => {
    let ms = Date.UTC(2026, 11, 6, 23, 59, 59, 999);
    const counter = new AuthorizeCallCounter({ now: () => new Date(ms) });
    counter.count('t1');
    counter.count('t1');
    counter.count('t2');
    ms += 1; // 2026-12-07T00:00:00.000Z
    counter.count('t1');
    ms -= 2; // back to the 6th
    counter.count('t1');
    const written: AuthorizeCallCount[] = [];
    await counter.flush(recordingUow(written));
    expect(written).toEqual([
      { tenantId: 't1', day: '2026-12-06', count: 3 },
      { tenantId: 't2', day: '2026-12-06', count: 1 },
      { tenantId: 't1', day: '2026-12-07', count: 1 },
    ]);
  });
});
