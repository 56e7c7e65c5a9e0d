import type {
  FamilyTransaction,
  PageRequest,
  RefreshTokenRecord,
  SessionOwner,
  SessionRecord,
  SessionStore,
} from '@enforcer/core';
import { type EntityManager, LockMode, type MikroORM } from '@mikro-orm/postgresql';
import { Account, Person } from '../../entities/accounts.js';
import { type IRefreshToken, type ISession, RefreshToken, Session } from '../../entities/sessions.js';
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
});

const tokenRecord = (row: IRefreshToken): RefreshTokenRecord => ({
  id: row.id,
  sessionId: row.session.id,
  tokenHash: row.tokenHash,
  parentId: row.parentId ?? null,
  replacedById: row.replacedById ?? null,
  usedAt: row.usedAt ?? null,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
});

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
      const { accountId, personId, tenantId, ...fields } = session;
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
                              "created_at", "last_used_at", "absolute_expires_at", "revoked_at", "revoke_reason")
       values (?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?, ?, ?, ?, ?, ?, ?, ?)
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
      ],
    );
  }

  withFamily<T>(tokenHash: string, work: (family: FamilyTransaction) => Promise<T>): Promise<T | undefined> {
    return this.#transactional(async (tx) => {
      const token = await tx.findOne(RefreshToken, { tokenHash }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!token) return undefined;
      const session = await tx.findOneOrFail(Session, token.session.id, {
        lockMode: LockMode.PESSIMISTIC_WRITE,
        refresh: true,
      });
      const family: FamilyTransaction = {
        get token() {
          return tokenRecord(token);
        },
        get session() {
          return sessionRecord(session);
        },
        findToken: async (id) => {
          const row = await tx.findOne(RefreshToken, id);
          return row ? tokenRecord(row) : null;
        },
        insertToken: async (next) => {
          this.#createToken(tx, session, next);
        },
        markUsed: async (tokenId, usedAt, replacedById) => {
          const row = tokenId === token.id ? token : await tx.findOneOrFail(RefreshToken, tokenId);
          row.usedAt = usedAt;
          row.replacedById = replacedById;
        },
        updateSession: async (changes) => {
          Object.assign(session, changes);
        },
      };
      const result = await work(family);
      await tx.flush();
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
