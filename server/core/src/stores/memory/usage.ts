import {
  type AuthorizeCallCount,
  SIGN_IN_ACTION,
  type UsageFigures,
  type UsageStore,
} from '../../operator/usage.js';
import type { MemoryDatabase } from './database.js';

/** Usage figures over the memory tables, as PostgreSQL's store derives them (see `UsageFigures`). */
export class MemoryUsageStore implements UsageStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async addAuthorizeCalls(counts: readonly AuthorizeCallCount[]): Promise<void> {
    const table = this.#db.tables.authorizeCalls;
    for (const { tenantId, day, count } of counts) {
      const key = `${tenantId} ${day}`;
      table.set(key, { tenantId, day, count: (table.get(key)?.count ?? 0) + count });
    }
  }

  async figures(tenantId: string, from: Date, to: Date): Promise<UsageFigures> {
    const { tables } = this.#db;
    const within = (at: Date | number) => {
      const ms = typeof at === 'number' ? at : at.getTime();
      return ms >= from.getTime() && ms < to.getTime();
    };
    let accounts = 0;
    for (const row of tables.accounts.values()) {
      if (row.tenantId === tenantId && row.createdAt < to.getTime() && row.status.status !== 'deleted')
        accounts++;
    }
    const active = new Set<string>();
    let signIns = 0;
    for (const event of tables.audit) {
      if (event.tenantId !== tenantId || event.action !== SIGN_IN_ACTION || !within(event.createdAt))
        continue;
      signIns++;
      if (event.actorId) active.add(event.actorId);
    }
    for (const session of tables.sessions.values()) {
      if (session.tenantId === tenantId && !session.actorAccountId && within(session.lastUsedAt)) {
        active.add(session.accountId);
      }
    }
    const fromDay = from.toISOString().slice(0, 10);
    const toDay = to.toISOString().slice(0, 10);
    let authorizeCalls = 0;
    for (const row of tables.authorizeCalls.values()) {
      if (row.tenantId === tenantId && row.day >= fromDay && row.day < toDay) authorizeCalls += row.count;
    }
    return { accounts, activeAccounts: active.size, signIns, authorizeCalls };
  }
}
