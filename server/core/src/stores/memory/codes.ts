import type {
  OtpChallengeRecord,
  OtpChallengeStore,
  OtpScope,
  OtpScopeTransaction,
} from '../../codes/ports.js';

const sameScope = (a: OtpScope, b: OtpScope) =>
  a.address === b.address && a.tenantId === b.tenantId && a.purpose === b.purpose;

/**
 * One-time code challenges in a Map. `withScope` calls run one at a time (a queue stands in for the
 * locks), and their writes are buffered and applied only when the work returns, so a throwing work
 * leaves nothing behind, as a rolled-back transaction would.
 */
export class MemoryOtpChallengeStore implements OtpChallengeStore {
  /** The table, read through a function: the memory database swaps its tables back on a rollback. */
  readonly #table: () => Map<string, OtpChallengeRecord>;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(table?: () => Map<string, OtpChallengeRecord>) {
    const own = new Map<string, OtpChallengeRecord>();
    this.#table = table ?? (() => own);
  }

  withScope<T>(scope: OtpScope, work: (challenges: OtpScopeTransaction) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#transaction(scope, work));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async find(id: string): Promise<OtpChallengeRecord | null> {
    const found = this.#table().get(id);
    return found ? { ...found } : null;
  }

  /** Empties the store (the mock's reset). */
  clear(): void {
    this.#table().clear();
  }

  async #transaction<T>(scope: OtpScope, work: (challenges: OtpScopeTransaction) => Promise<T>): Promise<T> {
    // This transaction's view of the scope: copies, written back only when `work` returns.
    const rows = new Map<string, OtpChallengeRecord>();
    for (const row of this.#table().values()) {
      if (sameScope(row, scope)) rows.set(row.id, { ...row });
    }
    const own = (id: string) => {
      const row = rows.get(id);
      if (!row) throw new Error(`No challenge ${id} in this scope`);
      return row;
    };
    const challenges: OtpScopeTransaction = {
      live: async (now) =>
        [...rows.values()]
          .filter((row) => row.consumedAt === null && row.expiresAt > now)
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
          .map((row) => ({ ...row })),
      insert: async (challenge) => {
        if (!sameScope(challenge, scope)) throw new Error('A challenge of another scope');
        if (this.#table().has(challenge.id) || rows.has(challenge.id)) {
          throw new Error(`Challenge ${challenge.id} exists`);
        }
        rows.set(challenge.id, { ...challenge });
      },
      consume: async (id, at) => {
        own(id).consumedAt = at;
      },
      countWrongAttempt: async (id) => {
        const row = own(id);
        row.attempts += 1;
        return row.attempts;
      },
    };
    const result = await work(challenges);
    // Commit: the work returned, so its writes are applied all together.
    for (const [id, row] of rows) this.#table().set(id, row);
    return result;
  }
}
