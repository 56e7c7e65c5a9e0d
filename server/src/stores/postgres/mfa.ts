import type { MfaChallengeRecord, MfaStore, RecoveryCodeRecord, TotpFactorRecord } from '@enforcer/core';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Account, Person } from '../../entities/accounts.js';
import {
  type IMfaChallenge,
  type ITotpCredential,
  MfaChallenge,
  RecoveryCode,
  TotpCredential,
} from '../../entities/mfa.js';
import { Tenant } from '../../entities/tenants.js';

const totpRecord = (row: ITotpCredential): TotpFactorRecord => ({
  id: row.id,
  personId: row.person.id,
  secretSealed: row.secretSealed,
  lastUsedStep: row.lastUsedStep ?? null,
  createdAt: row.createdAt,
  enabledAt: row.enabledAt ?? null,
});

const challengeRecord = (row: IMfaChallenge): MfaChallengeRecord => ({
  id: row.id,
  tokenHash: row.tokenHash,
  accountId: row.account.id,
  personId: row.person.id,
  tenantId: row.tenant.id,
  provider: row.provider,
  amr: [...row.amr],
  attempts: row.attempts,
  ip: row.ip ?? null,
  userAgent: row.userAgent ?? null,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  consumedAt: row.consumedAt ?? null,
});

/**
 * Second factors over `totp_credential`, `recovery_code` and `mfa_challenge`, in the unit's transaction.
 * A person's factor changes are serialised by an advisory lock; spending a recovery code is one
 * conditional UPDATE; a challenge is read `FOR UPDATE`.
 */
export class PostgresMfaStore implements MfaStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async lock(personId: string): Promise<void> {
    await this.#em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [
      `enforcer:totp:${personId}`,
    ]);
  }

  async findTotp(personId: string): Promise<TotpFactorRecord | null> {
    const row = await this.#em.findOne(TotpCredential, { person: personId }, { refresh: true });
    return row && totpRecord(row);
  }

  async saveTotp(record: TotpFactorRecord): Promise<void> {
    const row = await this.#em.findOne(TotpCredential, { person: record.personId });
    if (row) {
      row.secretSealed = record.secretSealed;
      row.lastUsedStep = record.lastUsedStep;
      row.createdAt = record.createdAt;
      row.enabledAt = record.enabledAt;
    } else {
      this.#em.create(TotpCredential, {
        id: record.id,
        person: this.#em.getReference(Person, record.personId),
        secretSealed: record.secretSealed,
        lastUsedStep: record.lastUsedStep,
        createdAt: record.createdAt,
        enabledAt: record.enabledAt,
      });
    }
    await this.#em.flush();
  }

  async deleteFactors(personId: string): Promise<boolean> {
    await this.#em.nativeDelete(RecoveryCode, { person: personId });
    return (await this.#em.nativeDelete(TotpCredential, { person: personId })) > 0;
  }

  async replaceRecoveryCodes(personId: string, codes: RecoveryCodeRecord[]): Promise<void> {
    await this.#em.nativeDelete(RecoveryCode, { person: personId });
    for (const code of codes) {
      this.#em.create(RecoveryCode, {
        id: code.id,
        person: this.#em.getReference(Person, personId),
        codeHash: code.codeHash,
        usedAt: code.usedAt,
        createdAt: code.createdAt,
      });
    }
    await this.#em.flush();
  }

  async spendRecoveryCode(personId: string, codeHash: string, at: Date): Promise<boolean> {
    const updated = await this.#em.nativeUpdate(
      RecoveryCode,
      { person: personId, codeHash, usedAt: null },
      { usedAt: at },
    );
    return updated === 1;
  }

  recoveryCodesLeft(personId: string): Promise<number> {
    return this.#em.count(RecoveryCode, { person: personId, usedAt: null });
  }

  async insertChallenge(record: MfaChallengeRecord): Promise<void> {
    this.#em.create(MfaChallenge, {
      id: record.id,
      tokenHash: record.tokenHash,
      account: this.#em.getReference(Account, record.accountId),
      person: this.#em.getReference(Person, record.personId),
      tenant: this.#em.getReference(Tenant, record.tenantId),
      provider: record.provider,
      amr: [...record.amr],
      attempts: record.attempts,
      ip: record.ip,
      userAgent: record.userAgent,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      consumedAt: record.consumedAt,
    });
    await this.#em.flush();
  }

  async findChallenge(tokenHash: string): Promise<MfaChallengeRecord | null> {
    // Locked in a transaction (a unit of work's `read` has none, and needs no lock).
    const lock = this.#em.isInTransaction() ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {};
    const row = await this.#em.findOne(MfaChallenge, { tokenHash }, { ...lock, refresh: true });
    return row && challengeRecord(row);
  }

  async updateChallenge(
    id: string,
    changes: Partial<Pick<MfaChallengeRecord, 'attempts' | 'consumedAt'>>,
  ): Promise<void> {
    await this.#em.nativeUpdate(MfaChallenge, { id }, changes);
  }
}
