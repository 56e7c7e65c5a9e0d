import type {
  OtpChallengeRecord,
  OtpChallengeStore,
  OtpPurpose,
  OtpScope,
  OtpScopeTransaction,
} from '@enforcer/core';
import { type EntityManager, LockMode, type MikroORM } from '@mikro-orm/postgresql';
import { type IOtpChallenge, OtpChallenge } from '../../entities/otp-challenges.js';
import { Tenant } from '../../entities/tenants.js';

export const challengeRecord = (row: IOtpChallenge): OtpChallengeRecord => ({
  id: row.id,
  address: row.email,
  tenantId: row.tenant?.id ?? null,
  purpose: row.purpose as OtpPurpose,
  codeHash: row.codeHash,
  expiresAt: row.expiresAt,
  attempts: row.attempts,
  consumedAt: row.consumedAt ?? null,
  createdAt: row.createdAt,
});

const lockKey = (scope: OtpScope) =>
  `enforcer:otp:${scope.purpose}:${scope.tenantId ?? '-'}:${scope.address}`;

const sameScope = (row: IOtpChallenge, scope: OtpScope) =>
  row.email === scope.address && (row.tenant?.id ?? null) === scope.tenantId && row.purpose === scope.purpose;

/**
 * One-time code challenges in PostgreSQL (`otp_challenge`). Built over the ORM, each `withScope` runs in
 * its own transaction; built over a caller's transaction (`{ tx }`), it joins it and is flushed, not
 * committed (the caller commits a counted wrong try, then raises the refusal). `withScope` first takes a
 * transaction-scoped advisory lock on the scope (so issuing, which may find no row to lock, is
 * serialised too), then reads the live rows `FOR UPDATE`.
 */
export class PostgresOtpChallengeStore implements OtpChallengeStore {
  readonly #orm: MikroORM | undefined;
  readonly #tx: EntityManager | undefined;

  constructor(source: { orm: MikroORM } | { tx: EntityManager }) {
    this.#orm = 'orm' in source ? source.orm : undefined;
    this.#tx = 'tx' in source ? source.tx : undefined;
  }

  withScope<T>(scope: OtpScope, work: (challenges: OtpScopeTransaction) => Promise<T>): Promise<T> {
    return this.#transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [lockKey(scope)]);
      const own = async (id: string) => {
        const row = await tx.findOne(OtpChallenge, id);
        if (!row || !sameScope(row, scope)) throw new Error(`No challenge ${id} in this scope`);
        return row;
      };
      const challenges: OtpScopeTransaction = {
        live: async (now) => {
          const rows = await tx.find(
            OtpChallenge,
            {
              email: scope.address,
              tenant: scope.tenantId,
              purpose: scope.purpose,
              consumedAt: null,
              expiresAt: { $gt: now },
            },
            { orderBy: { createdAt: 'desc' }, lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
          );
          return rows.map(challengeRecord);
        },
        insert: async (challenge) => {
          const { address, tenantId, ...fields } = challenge;
          if (address !== scope.address || tenantId !== scope.tenantId || fields.purpose !== scope.purpose) {
            throw new Error('A challenge of another scope');
          }
          tx.create(OtpChallenge, {
            ...fields,
            email: address,
            tenant: tenantId ? tx.getReference(Tenant, tenantId) : null,
          });
        },
        consume: async (id, at) => {
          (await own(id)).consumedAt = at;
        },
        countWrongAttempt: async (id) => {
          const row = await own(id);
          row.attempts += 1;
          return row.attempts;
        },
      };
      const result = await work(challenges);
      await tx.flush();
      return result;
    });
  }

  async find(id: string): Promise<OtpChallengeRecord | null> {
    const row = await this.#em().findOne(OtpChallenge, id, { refresh: true });
    return row ? challengeRecord(row) : null;
  }

  #em(): EntityManager {
    return this.#tx ?? (this.#orm!.em.fork() as EntityManager);
  }

  /** A transaction of its own, or the caller's (no savepoint: the caller commits or rolls back). */
  #transactional<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.#tx ? work(this.#tx) : this.#em().transactional(work);
  }
}
