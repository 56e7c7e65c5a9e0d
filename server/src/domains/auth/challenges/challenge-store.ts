import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Person } from '../../../entities/accounts.js';
import { AuthChallenge, type IAuthChallenge } from '../../../entities/auth-challenges.js';
import { Tenant } from '../../../entities/tenants.js';
import { addSeconds, type Clock } from '../../../lib/clock.js';
import type { RandomSource } from '../../../lib/random.js';

/** What a challenge is for; a challenge of one purpose never works for another. */
export type ChallengePurpose = 'passkey_register' | 'passkey_login' | 'siwe' | 'google_nonce';

/** Challenges and nonces carry at least this much randomness. */
export const CHALLENGE_BYTES = 32;

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

export interface IssuedChallenge {
  id: string;
  /** The value to hand to the client: base64url (passkeys) or hex (SIWE nonces, alphanumeric). */
  value: string;
  expiresAt: Date;
}

/**
 * Server-side single-use challenges (WebAuthn challenges, SIWE nonces) and once-only nonces (Google).
 * Only the SHA-256 of a value is stored. Consuming is one conditional UPDATE, so of two concurrent uses
 * of one challenge exactly one wins; a consumed, expired or foreign (other tenant, other person, other
 * purpose) challenge is refused alike. Everything runs in the caller's transaction.
 */
export class ChallengeStore {
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(options: { clock: Clock; random: RandomSource }) {
    this.#clock = options.clock;
    this.#random = options.random;
  }

  async issue(
    em: EntityManager,
    input: {
      purpose: ChallengePurpose;
      ttlSeconds: number;
      encoding: 'base64url' | 'hex';
      tenantId?: string | null;
      personId?: string | null;
      data?: Record<string, unknown> | null;
    },
  ): Promise<IssuedChallenge> {
    const now = this.#clock.now();
    await this.#sweep(em, now);
    const value = this.#random.bytes(CHALLENGE_BYTES).toString(input.encoding);
    const row = em.create(AuthChallenge, {
      id: this.#random.uuid(),
      purpose: input.purpose,
      valueHash: sha256Hex(value),
      tenant: input.tenantId ? em.getReference(Tenant, input.tenantId) : null,
      person: input.personId ? em.getReference(Person, input.personId) : null,
      data: input.data ?? null,
      expiresAt: addSeconds(now, input.ttlSeconds),
      consumedAt: null,
      createdAt: now,
    });
    await em.flush();
    return { id: row.id, value, expiresAt: row.expiresAt };
  }

  /** Spends the live challenge `id` of this purpose (and tenant, and person when given), or null. */
  async consumeById(
    em: EntityManager,
    id: string,
    scope: { purpose: ChallengePurpose; tenantId: string | null; personId?: string | null },
  ): Promise<IAuthChallenge | null> {
    return this.#consume(em, 'id = ?', [id], scope);
  }

  /** Spends the live challenge whose value is `value` (a SIWE nonce), or null. */
  async consumeByValue(
    em: EntityManager,
    value: string,
    scope: { purpose: ChallengePurpose; tenantId: string | null },
  ): Promise<IAuthChallenge | null> {
    return this.#consume(em, 'value_hash = ?', [sha256Hex(value)], scope);
  }

  /**
   * Records a client-chosen nonce as seen (until `expiresAt`); false when it was seen before. The
   * Google nonce of an ID token is accepted once, so the token cannot be replayed.
   */
  async recordOnce(
    em: EntityManager,
    value: string,
    input: { purpose: ChallengePurpose; tenantId: string | null; expiresAt: Date },
  ): Promise<boolean> {
    const now = this.#clock.now();
    const rows = await em.execute(
      `insert into "auth_challenge" ("id", "purpose", "value_hash", "tenant_id", "expires_at", "consumed_at", "created_at")
       values (?, ?, ?, ?, ?, ?, ?)
       on conflict ("purpose", "value_hash") do nothing
       returning "id"`,
      [this.#random.uuid(), input.purpose, sha256Hex(value), input.tenantId, input.expiresAt, now, now],
    );
    return rows.length === 1;
  }

  async #consume(
    em: EntityManager,
    where: string,
    params: unknown[],
    scope: { purpose: ChallengePurpose; tenantId: string | null; personId?: string | null },
  ): Promise<IAuthChallenge | null> {
    const now = this.#clock.now();
    const rows: Array<{ id: string }> = await em.execute(
      `update "auth_challenge" set "consumed_at" = ?
        where ${where} and "purpose" = ? and "consumed_at" is null and "expires_at" > ?
          and "tenant_id" is not distinct from ?
          ${scope.personId !== undefined ? 'and "person_id" is not distinct from ?' : ''}
        returning "id"`,
      [
        now,
        ...params,
        scope.purpose,
        now,
        scope.tenantId,
        ...(scope.personId !== undefined ? [scope.personId] : []),
      ],
    );
    if (rows.length !== 1) return null;
    return em.findOneOrFail(AuthChallenge, rows[0]!.id, { refresh: true });
  }

  /** Deletes a few long-expired challenges (a day past expiry), so the table stays small. */
  async #sweep(em: EntityManager, now: Date): Promise<void> {
    await em.execute(
      `delete from "auth_challenge" where "id" in (
         select "id" from "auth_challenge" where "expires_at" < ? limit 100)`,
      [addSeconds(now, -86_400)],
    );
  }
}
