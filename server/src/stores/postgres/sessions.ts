import type {
  FamilyTransaction,
  PageRequest,
  RefreshTokenRecord,
  SessionChanges,
  SessionOwner,
  SessionRecord,
  SessionStore,
} from '@enforcer/core';
import { type EntityManager, LockMode, type MikroORM } from '@mikro-orm/postgresql';
import { Account, Person } from '../../entities/accounts.js';
import { type ISession, RefreshToken, Session } from '../../entities/sessions.js';
import { Tenant } from '../../entities/tenants.js';
import { afterPosition, pageOrder } from '../../lib/pagination.js';
import { executePrepared } from './prepared.js';

/** A session row as the core's record (the privacy export reads them too). */
export const sessionRecord = (row: ISession): SessionRecord => ({
  id: row.id,
  accountId: row.account.id,
  personId: row.person.id,
  tenantId: row.tenant.id,
  amr: [...row.amr],
  mfaAt: row.mfaAt ?? null,
  ip: row.ip ?? null,
  userAgent: row.userAgent ?? null,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt,
  absoluteExpiresAt: row.absoluteExpiresAt,
  revokedAt: row.revokedAt ?? null,
  revokeReason: row.revokeReason ?? null,
  ...(row.actorAccount ? { actorAccountId: row.actorAccount.id } : {}),
});

const TOKEN_COLUMNS =
  '"id", "session_id", "token_hash", "parent_id", "replaced_by_id", "used_at", "created_at", "expires_at"';
const SESSION_COLUMNS =
  '"id", "account_id", "person_id", "tenant_id", "amr", "mfa_at", "ip", "user_agent", "created_at", "last_used_at", "absolute_expires_at", "revoked_at", "revoke_reason", "actor_account_id"';

type Timestamp = Date | string;
const at = (value: Timestamp): Date => (value instanceof Date ? value : new Date(value));
const atOrNull = (value: Timestamp | null): Date | null => (value === null ? null : at(value));

interface TokenRow {
  id: string;
  session_id: string;
  token_hash: string;
  parent_id: string | null;
  replaced_by_id: string | null;
  used_at: Timestamp | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

interface SessionRow {
  id: string;
  account_id: string;
  person_id: string;
  tenant_id: string;
  amr: string[];
  mfa_at: Timestamp | null;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp;
  absolute_expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoke_reason: string | null;
  actor_account_id: string | null;
}

const tokenOfRow = (row: TokenRow): RefreshTokenRecord => ({
  id: row.id,
  sessionId: row.session_id,
  tokenHash: row.token_hash,
  parentId: row.parent_id,
  replacedById: row.replaced_by_id,
  usedAt: atOrNull(row.used_at),
  createdAt: at(row.created_at),
  expiresAt: at(row.expires_at),
});

export const sessionOfRow = (row: SessionRow): SessionRecord => ({
  id: row.id,
  accountId: row.account_id,
  personId: row.person_id,
  tenantId: row.tenant_id,
  amr: [...row.amr],
  mfaAt: atOrNull(row.mfa_at),
  ip: row.ip,
  userAgent: row.user_agent,
  createdAt: at(row.created_at),
  lastUsedAt: at(row.last_used_at),
  absoluteExpiresAt: at(row.absolute_expires_at),
  revokedAt: atOrNull(row.revoked_at),
  revokeReason: row.revoke_reason,
  ...(row.actor_account_id ? { actorAccountId: row.actor_account_id } : {}),
});

/** Session columns a family transaction may change, by `SessionChanges` key. */
const SESSION_CHANGE_COLUMNS: Record<keyof SessionChanges, string> = {
  lastUsedAt: 'last_used_at',
  ip: 'ip',
  userAgent: 'user_agent',
  revokedAt: 'revoked_at',
  revokeReason: 'revoke_reason',
};

/** A token row with its session's row (as JSON): what the optimistic path decides on. */
export type FamilyRow = TokenRow & { s: SessionRow };

/**
 * Family rows read by `findSessionByTokenHash` moments ago, each taken once by the `withFamily` call of
 * the same refresh, which then needs no read of its own. A snapshot is never trusted: the write that
 * follows checks the rows are still as read. Kept for a second at most, a few hundred at most.
 */
class FamilySnapshots {
  readonly #rows = new Map<string, { row: FamilyRow; at: number }>();

  put(tokenHash: string, row: FamilyRow): void {
    if (this.#rows.size >= 512) this.#rows.delete(this.#rows.keys().next().value!);
    this.#rows.set(tokenHash, { row, at: performance.now() });
  }

  take(tokenHash: string): FamilyRow | undefined {
    const entry = this.#rows.get(tokenHash);
    if (!entry) return undefined;
    this.#rows.delete(tokenHash);
    return performance.now() - entry.at < 1000 ? entry.row : undefined;
  }
}

/** One set of snapshots per connection pool (per ORM): token hashes mean nothing across databases. */
const familySnapshots = new WeakMap<object, FamilySnapshots>();

const familySnapshotsOf = (em: EntityManager): FamilySnapshots => {
  const connection = em.getConnection();
  let snapshots = familySnapshots.get(connection);
  if (!snapshots) {
    snapshots = new FamilySnapshots();
    familySnapshots.set(connection, snapshots);
  }
  return snapshots;
};

/**
 * Leaves a family row read outside a transaction for the rotation of the same refresh (`withFamily`),
 * which then needs no read of its own (the refresh's first read, `GrantReader.findByRefreshToken`, reads
 * it with the account's context).
 */
export const leaveFamilySnapshot = (em: EntityManager, tokenHash: string, row: FamilyRow): void => {
  if (!em.isInTransaction()) familySnapshotsOf(em).put(tokenHash, row);
};

/** Thrown inside an optimistic `work` that needs a locked read: start over under locks. */
const NEEDS_LOCK = Symbol('needs the family locked');

/** The columns of `TOKEN_COLUMNS`, qualified by a table alias. */
export const TOKEN_COLUMNS_OF = (alias: string) =>
  TOKEN_COLUMNS.split(', ')
    .map((column) => `${alias}.${column}`)
    .join(', ');

/** What a family's `work` wrote, buffered until it returns: applied together or not at all. */
class FamilyWrites {
  readonly inserted: RefreshTokenRecord[] = [];
  readonly used: { id: string; usedAt: Date; replacedById: string }[] = [];
  changes: SessionChanges = {};
  session: SessionRecord;

  constructor(session: SessionRecord) {
    this.session = session;
  }

  get empty(): boolean {
    return this.inserted.length === 0 && this.used.length === 0 && Object.keys(this.changes).length === 0;
  }

  family(token: RefreshTokenRecord, findToken: FamilyTransaction['findToken']): FamilyTransaction {
    const writes = this;
    return {
      token,
      get session() {
        return writes.session;
      },
      findToken,
      insertToken: async (next) => {
        writes.inserted.push(next);
      },
      markUsed: async (tokenId, usedAt, replacedById) => {
        writes.used.push({ id: tokenId, usedAt, replacedById });
      },
      updateSession: async (changes) => {
        writes.session = { ...writes.session, ...changes };
        writes.changes = { ...writes.changes, ...changes };
      },
    };
  }
}

/**
 * What a family's work wrote, as one statement (a rotation: the successor inserted, the presented token
 * marked used, the session's use recorded): one round trip instead of three.
 *
 * With `unless`, the statement is its own transaction and writes only if the token and its session are
 * still as the optimistic read saw them: its first part locks both rows (`FOR UPDATE`, which waits for a
 * concurrent writer and then checks the rows as that writer left them) and every write depends on it.
 * Resolves false when they changed (nothing written).
 */
async function writeFamily(
  em: EntityManager,
  sessionId: string,
  writes: FamilyWrites,
  unless?: { tokenId: string; usedAt: Date | null; revokedAt: Date | null },
): Promise<boolean> {
  const parts: string[] = [];
  const params: unknown[] = [];
  const guarded = unless ? ` and exists (select 1 from "guard")` : '';
  if (unless) {
    parts.push(
      `select 1 from "refresh_token" t join "session" s on s."id" = t."session_id"
        where t."id" = ? and t."used_at" is not distinct from ?::timestamptz
          and s."revoked_at" is not distinct from ?::timestamptz
        for update of t, s`,
    );
    params.push(unless.tokenId, unless.usedAt, unless.revokedAt);
  }
  for (const t of writes.inserted) {
    parts.push(
      `insert into "refresh_token" (${TOKEN_COLUMNS})
       select ?::uuid, ?::uuid, ?::text, ?::uuid, ?::uuid, ?::timestamptz, ?::timestamptz, ?::timestamptz
       where true${guarded}`,
    );
    params.push(t.id, sessionId, t.tokenHash, t.parentId, t.replacedById, t.usedAt, t.createdAt, t.expiresAt);
  }
  for (const u of writes.used) {
    parts.push(`update "refresh_token" set "used_at" = ?, "replaced_by_id" = ? where "id" = ?${guarded}`);
    params.push(u.usedAt, u.replacedById, u.id);
  }
  const changes = writes.changes;
  const keys = (Object.keys(changes) as (keyof SessionChanges)[]).filter((k) => changes[k] !== undefined);
  if (keys.length > 0) {
    parts.push(
      `update "session" set ${keys.map((k) => `"${SESSION_CHANGE_COLUMNS[k]}" = ?`).join(', ')} where "id" = ?${guarded}`,
    );
    params.push(...keys.map((k) => changes[k]), sessionId);
  }
  if (parts.length === 0) return true;
  if (unless) {
    // Data-modifying statements in WITH all run, on one snapshot, whether or not the final one reads them.
    const [guard, ...rest] = parts;
    const sql = `with "guard" as (${guard}), ${rest.map((p, i) => `w${i} as (${p})`).join(', ')}
                 select count(*)::int as "n" from "guard"`;
    try {
      const [row] = await executePrepared<{ n: number }>(em, sql, params);
      return row!.n === 1;
    } catch (error) {
      // A deadlock with a pessimistic call of the same family: this statement was rolled back whole.
      if ((error as { code?: string }).code === '40P01') return false;
      throw error;
    }
  }
  const [last, ...first] = [parts.at(-1)!, ...parts.slice(0, -1)];
  const sql = first.length === 0 ? last : `with ${first.map((p, i) => `w${i} as (${p})`).join(', ')} ${last}`;
  await em.execute(sql, params, 'run');
  return true;
}

/**
 * Sessions and refresh tokens in PostgreSQL. Built over the ORM, each call runs in its own transaction;
 * built over a caller's transaction (`{ tx }`), calls join it and are flushed,
 * not committed. `withFamily` holds `SELECT ... FOR UPDATE` on the token row, then the session
 * row, so concurrent rotations of one family are serialised by PostgreSQL.
 */
export class PostgresSessionStore implements SessionStore {
  readonly #orm: MikroORM | undefined;
  readonly #tx: EntityManager | undefined;

  constructor(source: { orm: MikroORM } | { tx: EntityManager }) {
    this.#orm = 'orm' in source ? source.orm : undefined;
    this.#tx = 'tx' in source ? source.tx : undefined;
  }

  async insertSession(session: SessionRecord, token: RefreshTokenRecord): Promise<void> {
    await this.#transactional(async (tx) => {
      const { accountId, personId, tenantId, actorAccountId: _refreshable, ...fields } = session;
      const row = tx.create(Session, {
        ...fields,
        account: tx.getReference(Account, accountId),
        tenant: tx.getReference(Tenant, tenantId),
        person: tx.getReference(Person, personId),
      });
      this.#createToken(tx, row, token);
      await tx.flush();
    });
  }

  async insertBearerSession(session: SessionRecord): Promise<void> {
    await this.#em().execute(
      `insert into "session" ("id", "account_id", "tenant_id", "person_id", "amr", "mfa_at", "ip", "user_agent",
                              "created_at", "last_used_at", "absolute_expires_at", "revoked_at", "revoke_reason",
                              "actor_account_id")
       values (?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict ("id") do nothing`,
      [
        session.id,
        session.accountId,
        session.tenantId,
        session.personId,
        JSON.stringify(session.amr),
        session.mfaAt,
        session.ip,
        session.userAgent,
        session.createdAt,
        session.lastUsedAt,
        session.absoluteExpiresAt,
        session.revokedAt,
        session.revokeReason,
        session.actorAccountId ?? null,
      ],
    );
  }

  /**
   * The refresh path, the busiest write of all: plain SQL, no entity manager unit of work, and
   * optimistic first. One statement reads the token and its session (no lock, no transaction); `work`
   * decides on that snapshot; one statement then writes what it decided, only if the token and the
   * session are still as read (`#commitIfUnchanged`). Two round trips for a rotation, where a locking
   * transaction takes five (begin, two locking reads, the writes, commit).
   *
   * When the rows changed in between (a concurrent refresh of the same token won, the session ended), or
   * when `work` asks for another token of the family (a replay: its successor must not change under the
   * decision either), nothing is written and the call starts over the pessimistic way, under
   * `SELECT ... FOR UPDATE` (`#lockedFamily`). So concurrent calls for one family still decide one
   * after the other, and `work` may run twice: it must write only through `family`.
   */
  async withFamily<T>(
    tokenHash: string,
    work: (family: FamilyTransaction) => Promise<T>,
  ): Promise<T | undefined> {
    // Inside a caller's transaction the locks are the caller's too: the pessimistic way only.
    if (this.#tx) return this.#lockedFamily(this.#tx, tokenHash, work);
    const optimistic = await this.#optimisticFamily(tokenHash, work);
    if (optimistic.done) return optimistic.value;
    return this.#transactional((tx) => this.#lockedFamily(tx, tokenHash, work));
  }

  async #optimisticFamily<T>(
    tokenHash: string,
    work: (family: FamilyTransaction) => Promise<T>,
  ): Promise<{ done: true; value: T | undefined } | { done: false }> {
    const em = this.#em();
    // Any snapshot will do, even one read a moment ago: the guarded write checks it is still current.
    const row = familySnapshotsOf(em).take(tokenHash) ?? (await this.#readFamily(em, tokenHash));
    if (!row) return { done: true, value: undefined };
    const token = tokenOfRow(row);
    const read = { usedAt: token.usedAt, revokedAt: atOrNull(row.s.revoked_at) };
    const writes = new FamilyWrites(sessionOfRow(row.s));
    const family = writes.family(token, async () => {
      throw NEEDS_LOCK;
    });
    let value: T;
    try {
      value = await work(family);
    } catch (error) {
      if (error === NEEDS_LOCK) return { done: false };
      throw error;
    }
    if (writes.empty) return { done: true, value };
    const written = await writeFamily(em, writes.session.id, writes, { tokenId: token.id, ...read });
    return written ? { done: true, value } : { done: false };
  }

  /** Two locking reads (the token, then its session: the order every rotation takes), `work`, its writes. */
  async #lockedFamily<T>(
    tx: EntityManager,
    tokenHash: string,
    work: (family: FamilyTransaction) => Promise<T>,
  ): Promise<T | undefined> {
    const [tokenRow] = await tx.execute<TokenRow[]>(
      `select ${TOKEN_COLUMNS} from "refresh_token" where "token_hash" = ? for update`,
      [tokenHash],
    );
    if (!tokenRow) return undefined;
    const [sessionRow] = await tx.execute<SessionRow[]>(
      `select ${SESSION_COLUMNS} from "session" where "id" = ? for update`,
      [tokenRow.session_id],
    );
    const writes = new FamilyWrites(sessionOfRow(sessionRow!));
    const family = writes.family(tokenOfRow(tokenRow), async (id) => {
      const [row] = await tx.execute<TokenRow[]>(
        `select ${TOKEN_COLUMNS} from "refresh_token" where "id" = ?`,
        [id],
      );
      return row ? tokenOfRow(row) : null;
    });
    const result = await work(family);
    await writeFamily(tx, writes.session.id, writes);
    return result;
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const row = await this.#em().findOne(Session, id);
    return row ? sessionRecord(row) : null;
  }

  /**
   * Every refresh asks first (whose session is it?): the same statement as the optimistic read of
   * `withFamily`, whose snapshot it leaves for the rotation that follows (`#snapshots`).
   */
  async findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const em = this.#em();
    const row = await this.#readFamily(em, tokenHash);
    if (!row) return null;
    if (!this.#tx) leaveFamilySnapshot(em, tokenHash, row);
    return sessionOfRow(row.s);
  }

  /** The token and its session, in one statement, unlocked. */
  async #readFamily(em: EntityManager, tokenHash: string): Promise<FamilyRow | undefined> {
    const [row] = await executePrepared<FamilyRow>(
      em,
      `select ${TOKEN_COLUMNS_OF('t')}, row_to_json(s) as "s"
         from "refresh_token" t join "session" s on s."id" = t."session_id"
        where t."token_hash" = ?`,
      [tokenHash],
    );
    return row;
  }

  stepUp(id: string, amr: readonly string[], mfaAt: Date): Promise<SessionRecord | null> {
    return this.#transactional(async (tx) => {
      const session = await tx.findOne(Session, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (!session || session.revokedAt) return null;
      session.amr = [...new Set([...session.amr, ...amr])];
      session.mfaAt = mfaAt;
      await tx.flush();
      return sessionRecord(session);
    });
  }

  revokeSession(id: string, reason: string, at: Date): Promise<boolean> {
    return this.#transactional(async (tx) => {
      const session = await tx.findOne(Session, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!session || session.revokedAt) return false;
      session.revokedAt = at;
      session.revokeReason = reason;
      await tx.flush();
      return true;
    });
  }

  revokeOfPerson(personId: string, reason: string, at: Date): Promise<number> {
    return this.#transactional((tx) =>
      tx.nativeUpdate(
        Session,
        { person: personId, revokedAt: null },
        { revokedAt: at, revokeReason: reason },
      ),
    );
  }

  async listLive(owner: SessionOwner, request: PageRequest & { now: Date }): Promise<SessionRecord[]> {
    const rows = await this.#em().find(
      Session,
      {
        $and: [
          'personId' in owner ? { person: owner.personId } : { account: owner.accountId },
          { revokedAt: null, absoluteExpiresAt: { $gt: request.now } },
          afterPosition(request.after),
        ],
      },
      { orderBy: pageOrder, limit: request.limit },
    );
    return rows.map(sessionRecord);
  }

  async userAgentsOf(accountId: string, limit: number): Promise<(string | null)[]> {
    const rows = await this.#em().execute<{ user_agent: string | null }[]>(
      `select "user_agent" from "session" where "account_id" = ?
       group by "user_agent" order by max("created_at") desc limit ?`,
      [accountId, limit],
    );
    return rows.map((row) => row.user_agent);
  }

  #createToken(tx: EntityManager, session: ISession, token: RefreshTokenRecord) {
    const { sessionId: _, ...fields } = token;
    return tx.create(RefreshToken, { ...fields, session });
  }

  #em(): EntityManager {
    return this.#tx ?? (this.#orm!.em.fork() as EntityManager);
  }

  /** A transaction of its own, or the caller's (no savepoint: the caller commits or rolls back). */
  #transactional<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.#tx ? work(this.#tx) : this.#em().transactional(work);
  }
}
