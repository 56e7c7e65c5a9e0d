import type { ChallengeLookup, ChallengePurpose, ChallengeRecord, ChallengeStore } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthChallenge, type IAuthChallenge } from '../../entities/auth-challenges.js';

const challengeRecord = (c: IAuthChallenge): ChallengeRecord => ({
  id: c.id,
  purpose: c.purpose as ChallengePurpose,
  valueHash: c.valueHash,
  tenantId: c.tenant?.id ?? null,
  personId: c.person?.id ?? null,
  data: c.data ?? null,
  expiresAt: c.expiresAt,
  consumedAt: c.consumedAt ?? null,
  createdAt: c.createdAt,
});

/**
 * Challenges over `auth_challenge`, in the unit's transaction. Spending is one conditional UPDATE, so of
 * two concurrent spends of one challenge exactly one wins; inserting a seen nonce is one
 * `ON CONFLICT DO NOTHING`.
 */
export class PostgresChallengeStore implements ChallengeStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async insert(record: ChallengeRecord): Promise<boolean> {
    const rows = await this.#em.execute(
      `insert into "auth_challenge"
         ("id", "purpose", "value_hash", "tenant_id", "person_id", "data", "expires_at", "consumed_at", "created_at")
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict ("purpose", "value_hash") do nothing
       returning "id"`,
      [
        record.id,
        record.purpose,
        record.valueHash,
        record.tenantId,
        record.personId,
        record.data === null ? null : JSON.stringify(record.data),
        record.expiresAt,
        record.consumedAt,
        record.createdAt,
      ],
    );
    return rows.length === 1;
  }

  async consume(lookup: ChallengeLookup, at: Date): Promise<ChallengeRecord | null> {
    const [where, value] =
      'id' in lookup.by ? ['id = ?', lookup.by.id] : ['value_hash = ?', lookup.by.valueHash];
    const byPerson = lookup.personId !== undefined;
    const rows: Array<{ id: string }> = await this.#em.execute(
      `update "auth_challenge" set "consumed_at" = ?
        where ${where} and "purpose" = ? and "consumed_at" is null and "expires_at" > ?
          and "tenant_id" is not distinct from ?
          ${byPerson ? 'and "person_id" is not distinct from ?' : ''}
        returning "id"`,
      [at, value, lookup.purpose, at, lookup.tenantId, ...(byPerson ? [lookup.personId] : [])],
    );
    if (rows.length !== 1) return null;
    return challengeRecord(await this.#em.findOneOrFail(AuthChallenge, rows[0]!.id, { refresh: true }));
  }

  async sweep(before: Date): Promise<void> {
    await this.#em.execute(
      `delete from "auth_challenge" where "id" in (
         select "id" from "auth_challenge" where "expires_at" < ? limit 100)`,
      [before],
    );
  }
}
