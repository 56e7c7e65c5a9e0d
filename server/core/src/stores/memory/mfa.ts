import type { MfaChallengeRecord, MfaStore, RecoveryCodeRecord, TotpFactorRecord } from '../../mfa/ports.js';
import type { MemoryDatabase } from './database.js';

/** The memory database's second-factor tables. */
export interface MemoryMfaTables {
  /** person id → authenticator. */
  totp: Map<string, TotpFactorRecord>;
  /** person id → their recovery codes. */
  recoveryCodes: Map<string, RecoveryCodeRecord[]>;
  /** id → sign-in challenge. */
  mfaChallenges: Map<string, MfaChallengeRecord>;
}

/** Second factors over the memory tables. `lock` is a no-op: units of work run one at a time. */
export class MemoryMfaStore implements MfaStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #tables(): MemoryMfaTables {
    return this.#db.tables;
  }

  async lock(): Promise<void> {}

  async findTotp(personId: string): Promise<TotpFactorRecord | null> {
    const row = this.#tables.totp.get(personId);
    return row ? structuredClone(row) : null;
  }

  async saveTotp(record: TotpFactorRecord): Promise<void> {
    this.#tables.totp.set(record.personId, structuredClone(record));
  }

  async deleteFactors(personId: string): Promise<boolean> {
    this.#tables.recoveryCodes.delete(personId);
    return this.#tables.totp.delete(personId);
  }

  async replaceRecoveryCodes(personId: string, codes: RecoveryCodeRecord[]): Promise<void> {
    this.#tables.recoveryCodes.set(personId, structuredClone(codes));
  }

  async spendRecoveryCode(personId: string, codeHash: string, at: Date): Promise<boolean> {
    const code = this.#tables.recoveryCodes
      .get(personId)
      ?.find((row) => row.codeHash === codeHash && row.usedAt === null);
    if (!code) return false;
    code.usedAt = at;
    return true;
  }

  async recoveryCodesLeft(personId: string): Promise<number> {
    return (this.#tables.recoveryCodes.get(personId) ?? []).filter((row) => row.usedAt === null).length;
  }

  async insertChallenge(record: MfaChallengeRecord): Promise<void> {
    for (const row of this.#tables.mfaChallenges.values()) {
      if (row.tokenHash === record.tokenHash) throw new Error('duplicate mfa challenge token');
    }
    this.#tables.mfaChallenges.set(record.id, structuredClone(record));
  }

  async findChallenge(tokenHash: string): Promise<MfaChallengeRecord | null> {
    for (const row of this.#tables.mfaChallenges.values()) {
      if (row.tokenHash === tokenHash) return structuredClone(row);
    }
    return null;
  }

  async updateChallenge(
    id: string,
    changes: Partial<Pick<MfaChallengeRecord, 'attempts' | 'consumedAt'>>,
  ): Promise<void> {
    const row = this.#tables.mfaChallenges.get(id);
    if (row) Object.assign(row, changes);
  }
}
