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

const sessionRecord = (row: ISession): SessionRecord => ({
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

const sessionOfRow = (row: SessionRow): SessionRecord => ({
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

/**
 * What a family transaction wrote, as one statement (a rotation: the successor inserted, the presented
 * token marked used, the session's use recorded): one round trip instead of three.
 */
async function writeFamily(
  tx: EntityManager,
  sessionId: string,
  inserted: RefreshTokenRecord[],
  used: { id: string; usedAt: Date; replacedById: string }[],
  changes: SessionChanges,
): Promise<void> {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const t of inserted) {
    parts.push(`insert into "refresh_token" (${TOKEN_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?)`);
    params.push(t.id, sessionId, t.tokenHash, t.parentId, t.replacedById, t.usedAt, t.createdAt, t.expiresAt);
  }
  for (const u of used) {
    parts.push(`update "refresh_token" set "used_at" = ?, "replaced_by_id" = ? where "id" = ?`);
    params.push(u.usedAt, u.replacedById, u.id);
  }
  const keys = (Object.keys(changes) as (keyof SessionChanges)[]).filter((k) => changes[k] !== undefined);
  if (keys.length > 0) {
    parts.push(
      `update "session" set ${keys.map((k) => `"${SESSION_CHANGE_COLUMNS[k]}" = ?`).join(', ')} where "id" = ?`,
    );
    params.push(...keys.map((k) => changes[k]), sessionId);
  }
  if (parts.length === 0) return;
  // Data-modifying statements in WITH all run, on one snapshot, whether or not the final one reads them.
  const [last, ...first] = [parts.at(-1)!, ...parts.slice(0, -1)];
  const sql = first.length === 0 ? last : `with ${first.map((p, i) => `w${i} as (${p})`).join(', ')} ${last}`;
  await tx.execute(sql, params, 'run');
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
   * The refresh path, the busiest write of all: plain SQL, no entity manager unit of work. Two locking
   * reads (the token, then its session: the order every rotation takes) and, when `work` wrote anything,
   * one statement with every write, all in one transaction.
   */
  withFamily<T>(tokenHash: string, work: (family: FamilyTransaction) => Promise<T>): Promise<T | undefined> {
    return this.#transactional(async (tx) => {
      const [tokenRow] = await tx.execute<TokenRow[]>(
        `select ${TOKEN_COLUMNS} from "refresh_token" where "token_hash" = ? for update`,
        [tokenHash],
      );
      if (!tokenRow) return undefined;
      const [sessionRow] = await tx.execute<SessionRow[]>(
        `select ${SESSION_COLUMNS} from "session" where "id" = ? for update`,
        [tokenRow.session_id],
      );
      const token = tokenOfRow(tokenRow);
      let session = sessionOfRow(sessionRow!);
      const inserted: RefreshTokenRecord[] = [];
      const used: { id: string; usedAt: Date; replacedById: string }[] = [];
      let sessionChanges: SessionChanges = {};
      const family: FamilyTransaction = {
        token,
        get session() {
          return session;
        },
        findToken: async (id) => {
          const [row] = await tx.execute<TokenRow[]>(
            `select ${TOKEN_COLUMNS} from "refresh_token" where "id" = ?`,
            [id],
          );
          return row ? tokenOfRow(row) : null;
        },
        insertToken: async (next) => {
          inserted.push(next);
        },
        markUsed: async (tokenId, usedAt, replacedById) => {
          used.push({ id: tokenId, usedAt, replacedById });
        },
        updateSession: async (changes) => {
          session = { ...session, ...changes };
          sessionChanges = { ...sessionChanges, ...changes };
        },
      };
      const result = await work(family);
      await writeFamily(tx, session.id, inserted, used, sessionChanges);
      return result;
    });
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const row = await this.#em().findOne(Session, id);
    return row ? sessionRecord(row) : null;
  }

  async findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const token = await this.#em().findOne(RefreshToken, { tokenHash }, { populate: ['session'] });
    return token ? sessionRecord(token.session as ISession) : null;
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
