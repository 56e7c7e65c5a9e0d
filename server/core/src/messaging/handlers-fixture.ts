// The messaging handlers' tests (handlers.test.ts, outbox-sms.test.ts) over the memory database: one setup.
// Not exported from the package's entries.
import { webCryptoSealer } from '../mfa/sealer.js';
import { MemoryDatabase } from '../stores/memory/database.js';
import { ownerOfNewTenant } from '../testing/memory-fixture.js';
import { messagingHandlers } from './handlers.js';

/** A tenant (as `tenant` says), its owner signed in, and the messaging routes on a clock that moves by `advance`. */
export function messagingFixture(tenant: Parameters<typeof ownerOfNewTenant>[1]) {
  const db = new MemoryDatabase();
  const owner = ownerOfNewTenant(db, tenant);
  let now = new Date('2026-12-06T12:00:00Z');
  const clock = { now: () => now };
  const sealer = webCryptoSealer();
  return {
    db,
    ...owner,
    sealer,
    clock,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
    handlers: messagingHandlers(db, { sealer, clock }),
  };
}
