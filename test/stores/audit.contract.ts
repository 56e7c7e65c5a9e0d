// The store contract of audit events: every AuditLog + AuditEventStore (memory, PostgreSQL) must pass it,
// through its store's unit of work: one hash chain per tenant (concurrent writers included), listings and
// their filters, tenant isolation, the retention setting and the purge.
import {
  type AuditInput,
  type Clock,
  purgeExpiredAuditEvents,
  type UnitOfWork,
  verifyAuditChain,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface AuditStoreHarness {
  /** A unit of work whose clock is `clock` (events are stamped with it). */
  uowAt(clock: Clock): UnitOfWork;
  /** A tenant events may belong to (its id). */
  seedTenant(): Promise<string>;
}

class TestClock implements Clock {
  constructor(public ms = Date.UTC(2030, 0, 1)) {}
  now = () => new Date(this.ms);
  advanceDays = (days: number) => {
    this.ms += days * 86_400_000;
  };
  tick = () => {
    this.ms += 1;
  };
}

const event = (tenantId: string | null, action: string, extra: Partial<AuditInput> = {}): AuditInput => ({
  action,
  actor: { type: 'system' },
  tenantId,
  details: { n: 1 },
  ...extra,
});

const verify = (uow: UnitOfWork, tenantId: string | null) =>
  verifyAuditChain(
    (afterSeq, limit) => uow.read((repos) => repos.auditEvents.chain(tenantId, afterSeq, limit)),
    3,
  );

export function auditStoreContract(name: string, harness: () => AuditStoreHarness): void {
  describe(`AuditEventStore contract: ${name}`, () => {
    it("chains each tenant's events, one transaction after another and several in one", async () => {
      const clock = new TestClock();
      const { uowAt, seedTenant } = harness();
      const uow = uowAt(clock);
      const tenant = await seedTenant();
      const other = await seedTenant();
      for (let i = 0; i < 3; i++) {
        clock.tick();
        await uow.transaction(async (repos) => repos.audit.record(event(tenant, `test.one.${i}`)));
      }
      await uow.transaction(async (repos) => {
        repos.audit.record(event(tenant, 'test.two.a'));
        repos.audit.record(event(other, 'test.two.b'));
        repos.audit.record(event(tenant, 'test.two.c'));
      });
      const chain = await uow.read((repos) => repos.auditEvents.chain(tenant, 0, 100));
      expect(chain.map((e) => [e.seq, e.action])).toEqual([
        [1, 'test.one.0'],
        [2, 'test.one.1'],
        [3, 'test.one.2'],
        [4, 'test.two.a'],
        [5, 'test.two.c'],
      ]);
      expect(chain[0]!.prevHash).toBeNull();
      for (let i = 1; i < chain.length; i++) expect(chain[i]!.prevHash).toBe(chain[i - 1]!.hash);
      expect(await verify(uow, tenant)).toMatchObject({ checked: 5, firstBreak: null, lastSeq: 5 });
      const others = await uow.read((repos) => repos.auditEvents.chain(other, 0, 100));
      expect(others.map((e) => e.seq)).toEqual([1]);
    });

    it('a rolled-back transaction leaves no event and no gap', async () => {
      const clock = new TestClock();
      const { uowAt, seedTenant } = harness();
      const uow = uowAt(clock);
      const tenant = await seedTenant();
      await uow.transaction(async (repos) => repos.audit.record(event(tenant, 'test.kept')));
      await expect(
        uow.transaction(async (repos) => {
          repos.audit.record(event(tenant, 'test.lost'));
          // An event is only flushed with the work's other writes: make it reach the store, then fail.
          await repos.auditEvents.retentionDays(tenant);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await uow.transaction(async (repos) => repos.audit.record(event(tenant, 'test.after')));
      const chain = await uow.read((repos) => repos.auditEvents.chain(tenant, 0, 100));
      expect(chain.map((e) => [e.seq, e.action])).toEqual([
        [1, 'test.kept'],
        [2, 'test.after'],
      ]);
      expect((await verify(uow, tenant)).firstBreak).toBeNull();
    });

    it('concurrent writers of one tenant still form one chain', async () => {
      const { uowAt, seedTenant } = harness();
      const uow = uowAt(new TestClock());
      const tenant = await seedTenant();
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          uow.transaction(async (repos) => {
            repos.audit.record(event(tenant, `test.concurrent.${i}`));
            repos.audit.record(event(tenant, `test.concurrent.${i}.second`));
          }),
        ),
      );
      const chain = await uow.read((repos) => repos.auditEvents.chain(tenant, 0, 100));
      expect(chain.map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      expect(await verify(uow, tenant)).toMatchObject({ checked: 24, firstBreak: null });
    });

    it('lists newest first with filters and a cursor, never another tenant’s events', async () => {
      const clock = new TestClock();
      const { uowAt, seedTenant } = harness();
      const uow = uowAt(clock);
      const tenant = await seedTenant();
      const other = await seedTenant();
      const alice = crypto.randomUUID();
      const bob = crypto.randomUUID();
      const write = async (tenantId: string | null, action: string, extra: Partial<AuditInput> = {}) => {
        clock.tick();
        await uow.transaction(async (repos) => repos.audit.record(event(tenantId, action, extra)));
      };
      await write(tenant, 'auth.login.succeeded', { actor: { type: 'account', id: alice } });
      await write(tenant, 'auth.login.failed', { actor: { type: 'anonymous' } });
      await write(tenant, 'auth_login.x'); // `_` in a prefix is a literal, not a wildcard
      await write(tenant, 'account.locked', {
        actor: { type: 'account', id: bob },
        target: { type: 'account', id: alice },
      });
      await write(other, 'auth.login.succeeded', { actor: { type: 'account', id: alice } });
      await write(null, 'person.profile.updated', { actor: { type: 'person', id: bob } });

      const list = (filter: Record<string, unknown>, page = { after: undefined, limit: 100 }) =>
        uow.read((repos) => repos.auditEvents.listNewestFirst({ tenantId: tenant, ...filter }, page));
      const actions = async (filter: Record<string, unknown>) => (await list(filter)).map((e) => e.action);

      expect(await actions({})).toEqual([
        'account.locked',
        'auth_login.x',
        'auth.login.failed',
        'auth.login.succeeded',
      ]);
      expect(await actions({ actionPrefix: 'auth.login.' })).toEqual([
        'auth.login.failed',
        'auth.login.succeeded',
      ]);
      expect(await actions({ actionPrefix: 'auth.login.', outcome: 'failure' })).toEqual([
        'auth.login.failed',
      ]);
      expect(await actions({ actorAccountId: alice })).toEqual(['auth.login.succeeded']);
      expect(await actions({ targetAccountId: alice })).toEqual(['account.locked']);
      const all = await list({});
      const third = all[2]!;
      expect(await actions({ from: third.createdAt })).toEqual([
        'account.locked',
        'auth_login.x',
        'auth.login.failed',
      ]);
      expect(await actions({ from: third.createdAt, to: all[0]!.createdAt })).toEqual([
        'auth_login.x',
        'auth.login.failed',
      ]);
      // Activity: about alice (as actor or target) in this tenant, and bob's tenant-less events.
      expect(
        await actions({
          about: [
            { type: 'account', id: alice },
            { type: 'person', id: bob },
          ],
        }),
      ).toEqual(['person.profile.updated', 'account.locked', 'auth.login.succeeded']);

      // Pages of two, newest first, by the last row's position.
      const first = await list({}, { after: undefined, limit: 2 });
      const second = await list({}, { after: first[1]! as never, limit: 2 });
      expect([...first, ...second].map((e) => e.id)).toEqual(all.map((e) => e.id));
      const oldest = await uow.read((repos) =>
        repos.auditEvents.listOldestFirst({ tenantId: tenant }, { after: undefined, limit: 100 }),
      );
      expect(oldest.map((e) => e.id)).toEqual([...all].reverse().map((e) => e.id));

      await uow.read(async (repos) => {
        expect(await repos.auditEvents.find(tenant, all[0]!.id)).toMatchObject({
          id: all[0]!.id,
          action: 'account.locked',
          outcome: 'success',
          actorType: 'account',
          actorId: bob,
          targetType: 'account',
          targetId: alice,
          details: { n: 1 },
        });
        expect(await repos.auditEvents.find(other, all[0]!.id)).toBeNull();
      });
    });

    it("purges events past each tenant's retention, oldest first, and records the purge in the chain", async () => {
      const clock = new TestClock();
      const { uowAt, seedTenant } = harness();
      const uow = uowAt(clock);
      const short = await seedTenant();
      const long = await seedTenant();
      await uow.transaction((repos) => repos.auditEvents.setRetentionDays(short, 30));
      expect(await uow.read((repos) => repos.auditEvents.retentionDays(short))).toBe(30);
      expect(await uow.read((repos) => repos.auditEvents.retentionDays(long))).toBeNull();
      for (let i = 0; i < 5; i++) {
        await uow.transaction(async (repos) => {
          repos.audit.record(event(short, `test.old.${i}`));
          repos.audit.record(event(long, `test.old.${i}`));
        });
        clock.tick();
      }
      clock.advanceDays(31);
      await uow.transaction(async (repos) => repos.audit.record(event(short, 'test.recent')));
      // Batches of two: the purge goes on until a batch comes back short.
      const purged = await purgeExpiredAuditEvents({ uow, clock, batch: 2 });
      expect(purged.deleted).toBeGreaterThanOrEqual(5);
      const kept = await uow.read((repos) => repos.auditEvents.chain(short, 0, 100));
      expect(kept.map((e) => e.action)).toEqual([
        'test.recent',
        'audit.events_purged',
        'audit.events_purged',
        'audit.events_purged',
      ]);
      expect(kept.at(-1)!.details).toMatchObject({ deleted: 1, through_seq: 5 });
      expect(await verify(uow, short)).toMatchObject({ firstSeq: 6, firstBreak: null });
      // The default retention (365 days) keeps the other tenant's events, until a year has passed.
      expect((await uow.read((repos) => repos.auditEvents.chain(long, 0, 100))).length).toBe(5);
      clock.advanceDays(365);
      await purgeExpiredAuditEvents({ uow, clock });
      const longKept = await uow.read((repos) => repos.auditEvents.chain(long, 0, 100));
      expect(longKept.map((e) => e.action)).toEqual(['audit.events_purged']);
    });
  });
}
