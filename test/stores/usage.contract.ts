// The store contract of the platform operator's usage figures (#15): every UsageStore (memory, PostgreSQL)
// counts a tenant's accounts, sign-ins, monthly active accounts and authorize calls over a period the same
// way (`UsageFigures` in the core says how), and never another tenant's.
import { type Clock, monthPeriod, type Repositories, SIGN_IN_ACTION, type UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface UsageStoreHarness {
  /** A unit of work on `clock` (accounts and audit events take their times from it). */
  uow(clock: Clock): UnitOfWork;
  /** A tenant of that store: its id. */
  seedTenant(uow: UnitOfWork): Promise<string>;
}

class TestClock implements Clock {
  ms: number;
  constructor(at: Date) {
    this.ms = at.getTime();
  }
  now = () => new Date(this.ms);
  set(at: Date) {
    this.ms = at.getTime();
  }
}

let n = 0;

export function usageStoreContract(name: string, harness: () => UsageStoreHarness): void {
  describe(`UsageStore contract: ${name}`, () => {
    // A month of its own in the future, so no other test's rows fall into it.
    const year = 2040 + (Date.now() % 50);
    const march = monthPeriod(`${year}-03`, new Date());
    const at = (day: number, hour = 12) => new Date(Date.UTC(year, 2, day, hour));

    const setup = async () => {
      const h = harness();
      const clock = new TestClock(at(1));
      const uow = h.uow(clock);
      const tenant = await h.seedTenant(uow);
      const other = await h.seedTenant(uow);
      const account = (tenantId: string) =>
        uow.transaction(async (repos) => {
          const person = await repos.persons.create({
            email: `usage-${Date.now()}-${++n}@example.com`,
            emailVerifiedAt: clock.now(),
          });
          return repos.accounts.create({ personId: person.id, tenantId, role: 'member' });
        });
      return { ...h, clock, uow, tenant, other, account };
    };

    const session = async (
      repos: Repositories,
      a: { id: string; personId: string; tenantId: string },
      lastUsedAt: Date,
      actorAccountId?: string,
    ) => {
      const id = crypto.randomUUID();
      const record = {
        id,
        accountId: a.id,
        personId: a.personId,
        tenantId: a.tenantId,
        amr: ['otp'],
        mfaAt: null,
        ip: null,
        userAgent: null,
        createdAt: lastUsedAt,
        lastUsedAt,
        absoluteExpiresAt: new Date(lastUsedAt.getTime() + 86_400_000),
        revokedAt: null,
        revokeReason: null,
      };
      if (actorAccountId) {
        await repos.sessions.insertBearerSession({ ...record, actorAccountId });
        return;
      }
      await repos.sessions.insertSession(record, {
        id: crypto.randomUUID(),
        sessionId: id,
        tokenHash: `usage-${id}`,
        parentId: null,
        replacedById: null,
        usedAt: null,
        createdAt: lastUsedAt,
        expiresAt: new Date(lastUsedAt.getTime() + 86_400_000),
      });
    };

    it('adds authorize calls up by tenant and day, and sums the days of the period', async () => {
      const { uow, tenant, other } = await setup();
      const day = (d: number) => at(d).toISOString().slice(0, 10);
      await uow.transaction((repos) =>
        repos.usage.addAuthorizeCalls([
          { tenantId: tenant, day: day(1), count: 3 },
          { tenantId: tenant, day: day(31), count: 4 },
          { tenantId: other, day: day(2), count: 100 },
          // The last day of February and the first of April are outside March.
          { tenantId: tenant, day: new Date(Date.UTC(year, 1, 28)).toISOString().slice(0, 10), count: 50 },
          { tenantId: tenant, day: new Date(Date.UTC(year, 3, 1)).toISOString().slice(0, 10), count: 60 },
        ]),
      );
      // A second flush adds to the same rows.
      await uow.transaction((repos) =>
        repos.usage.addAuthorizeCalls([{ tenantId: tenant, day: day(1), count: 2 }]),
      );
      await uow.transaction((repos) => repos.usage.addAuthorizeCalls([]));
      await uow.read(async (repos) => {
        expect((await repos.usage.figures(tenant, march.from, march.to)).authorizeCalls).toBe(9);
        expect((await repos.usage.figures(other, march.from, march.to)).authorizeCalls).toBe(100);
      });
    });

    it('counts accounts, sign-ins and distinct active accounts of the period, of the tenant only', async () => {
      const { clock, uow, tenant, other, account } = await setup();
      clock.set(at(1));
      const signedIn = await account(tenant);
      const refreshed = await account(tenant);
      const impersonated = await account(tenant);
      const idle = await account(tenant);
      const deleted = await account(tenant);
      const elsewhere = await account(other);
      clock.set(at(20));
      const lateComer = await account(tenant);
      await uow.transaction((repos) =>
        repos.accounts.update(deleted.id, {
          status: {
            status: 'deleted',
            statusReason: null,
            statusChangedAt: clock.now(),
            statusChangedBy: null,
            lockedUntil: null,
          },
        }),
      );
      const signIn = (tenantId: string, accountId: string, when: Date) => {
        clock.set(when);
        return uow.transaction(async (repos) => {
          repos.audit.record({
            action: SIGN_IN_ACTION,
            actor: { type: 'account', id: accountId },
            tenantId,
            target: { type: 'account', id: accountId },
          });
        });
      };
      await signIn(tenant, signedIn.id, at(2));
      await signIn(tenant, signedIn.id, at(15)); // twice: two sign-ins, one active account
      await signIn(tenant, idle.id, new Date(Date.UTC(year, 1, 27))); // February
      await signIn(tenant, idle.id, new Date(Date.UTC(year, 3, 1, 0, 0, 1))); // April
      await signIn(other, elsewhere.id, at(3));
      clock.set(at(25));
      await uow.transaction(async (repos) => {
        repos.audit.record({
          action: 'auth.login.failed',
          actor: { type: 'anonymous' },
          tenantId: tenant,
          target: { type: 'account', id: idle.id },
        });
        await session(repos, refreshed, at(10));
        // An admin acting as the account: not the account's own activity.
        await session(repos, impersonated, at(11), signedIn.id);
        await session(repos, idle, new Date(Date.UTC(year, 1, 20)));
        await session(repos, elsewhere, at(12));
      });

      await uow.read(async (repos) => {
        expect(await repos.usage.figures(tenant, march.from, march.to)).toEqual({
          // signedIn, refreshed, impersonated, idle, lateComer (created in the month); not the deleted one.
          accounts: 5,
          activeAccounts: 2,
          signIns: 2,
          authorizeCalls: 0,
        });
        // February: the accounts created in March do not exist yet.
        const february = monthPeriod(`${year}-02`, new Date());
        expect(await repos.usage.figures(tenant, february.from, february.to)).toEqual({
          accounts: 0,
          activeAccounts: 1,
          signIns: 1,
          authorizeCalls: 0,
        });
        expect(await repos.usage.figures(other, march.from, march.to)).toEqual({
          accounts: 1,
          activeAccounts: 1,
          signIns: 1,
          authorizeCalls: 0,
        });
      });
      expect(lateComer.tenantId).toBe(tenant);
    });
  });
}
