import type { ApiKeyRecord } from '../../api-keys/ports.js';
import type { AuditRecord } from '../../audit/ports.js';
import type { ChallengeRecord } from '../../challenges/ports.js';
import type { PasskeyRecord } from '../../passkeys/ports.js';
import type { RevocationEventRecord } from '../../revocations/ports.js';
import type { Repositories, UnitOfWork } from '../../store.js';
import type { ThrottleCounter } from '../../throttle/ports.js';
import { MemoryApiKeyStore } from './api-keys.js';
import { MemoryAuditLog } from './audit.js';
import { MemoryChallengeStore } from './challenges.js';
import { type MemoryGroupRow, MemoryGroupStore } from './groups.js';
import { MemoryPasskeyStore } from './passkeys.js';
import { MemoryRevocationFeed } from './revocations.js';
import {
  type MemoryInviteRow,
  MemoryInviteStore,
  type MemoryTenantRow,
  MemoryTenantStore,
} from './tenants.js';
import { MemoryThrottleStore } from './throttle.js';

/**
 * The memory store's tables: one Map (or list) per aggregate, as PostgreSQL keeps one table per entity.
 * Domain stores add their table here and their repository to `repositories()`. Records are plain objects
 * (structured-cloneable): a transaction snapshots every table and restores the snapshot when its work
 * throws, so a failed unit of work leaves nothing behind, as a rolled-back transaction would.
 */
export class MemoryTables {
  audit: AuditRecord[] = [];
  /** The sign-in throttle's counters by key (`account:…`, `client:…`). */
  throttle = new Map<string, ThrottleCounter>();
  tenants = new Map<string, MemoryTenantRow>();
  invites = new Map<string, MemoryInviteRow>();
  /** id → key. */
  apiKeys = new Map<string, ApiKeyRecord>();
  /** The revocation feed's log, in `xid` order. */
  revocationEvents: RevocationEventRecord[] = [];
  /** The last `xid` an event took (as PostgreSQL's, it never goes back, not even when tables are emptied). */
  lastRevocationXid = 0;
  /** Groups by id, each with its memberships. */
  groups = new Map<string, MemoryGroupRow>();
  /** Single-use challenges and seen nonces by id. */
  challenges = new Map<string, ChallengeRecord>();
  /** Registered passkeys by id. */
  passkeys = new Map<string, PasskeyRecord>();
}

/** Repositories whose tables still live outside the memory database. */
export type KeptElsewhere = Pick<
  Repositories,
  'policies' | 'grants' | 'members' | 'accounts' | 'accountSessions' | 'persons' | 'identities'
>;

/**
 * The memory store's unit of work. Units of work run one at a time (a queue stands in for row locks and
 * serialisable isolation), reads included, so a read never sees a transaction's half-done writes.
 */
export class MemoryDatabase implements UnitOfWork {
  tables = new MemoryTables();
  readonly #now: () => Date;
  #queue: Promise<unknown> = Promise.resolve();

  readonly #kept: (db: MemoryDatabase) => KeptElsewhere;

  /**
   * `kept` gives the repositories of aggregates whose tables are not here yet (the mock passes stores
   * over its own rows for tenants' policies, accounts' grants and a new tenant's groups and owner until those tables move here).
   */
  constructor(options: { now?: () => Date; kept: (db: MemoryDatabase) => KeptElsewhere }) {
    this.#now = options.now ?? (() => new Date());
    this.#kept = options.kept;
  }

  now(): Date {
    return this.#now();
  }

  /** The repositories over the current tables (no queue: for seeding and tests, never inside a unit of work). */
  repositories(): Repositories {
    const kept = this.#kept(this);
    return {
      audit: new MemoryAuditLog(this),
      tenants: new MemoryTenantStore(this),
      invites: new MemoryInviteStore(this),
      throttle: new MemoryThrottleStore(this),
      apiKeys: new MemoryApiKeyStore(this),
      groups: new MemoryGroupStore(this),
      challenges: new MemoryChallengeStore(this),
      passkeys: new MemoryPasskeyStore(this),
      revocations: new MemoryRevocationFeed(this, kept.grants),
      ...kept,
    };
  }

  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      const snapshot = structuredClone(this.tables);
      try {
        return await work(this.repositories());
      } catch (error) {
        this.tables = snapshot;
        throw error;
      }
    });
  }

  read<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.#enqueue(() => work(this.repositories()));
  }

  /** Empties every table (the mock's `reset()`). */
  clear(): void {
    const { lastRevocationXid } = this.tables;
    this.tables = new MemoryTables();
    // A verifier's cursor from before stays valid: it must not take new events for ones it has read.
    this.tables.lastRevocationXid = lastRevocationXid;
  }

  #enqueue<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
