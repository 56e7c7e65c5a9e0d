import type {
  KycSessionRecord,
  KycSessionStatus,
  KycSettingsRecord,
  KycStore,
  PersonVerificationRecord,
} from '../../kyc/ports.js';
import type { MemoryDatabase } from './database.js';

/** The KYC module's tables in memory (`kycSettings`, `kycSessions`, `personVerifications`, `kycEvents`). */
export class MemoryKycStore implements KycStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #t() {
    return this.#db.tables;
  }

  async settings(tenantId: string): Promise<KycSettingsRecord | null> {
    const row = this.#t.kycSettings.get(tenantId);
    return row ? { ...row } : null;
  }

  async saveSettings(settings: KycSettingsRecord): Promise<void> {
    this.#t.kycSettings.set(settings.tenantId, { ...settings });
  }

  async insertSession(session: KycSessionRecord): Promise<void> {
    if (this.#t.kycSessions.has(session.id)) throw new Error('kyc_session: duplicate id');
    if (session.tokenHash !== null) {
      for (const row of this.#t.kycSessions.values())
        if (row.tokenHash === session.tokenHash) throw new Error('kyc_session: duplicate token hash');
    }
    this.#t.kycSessions.set(session.id, { ...session });
  }

  async findSession(id: string): Promise<KycSessionRecord | null> {
    const row = this.#t.kycSessions.get(id);
    return row ? { ...row } : null;
  }

  async findSessionByTokenHash(tokenHash: string): Promise<KycSessionRecord | null> {
    for (const row of this.#t.kycSessions.values()) if (row.tokenHash === tokenHash) return { ...row };
    return null;
  }

  async latestSession(tenantId: string, accountId: string): Promise<KycSessionRecord | null> {
    let latest: KycSessionRecord | null = null;
    for (const row of this.#t.kycSessions.values()) {
      if (row.tenantId !== tenantId || row.accountId !== accountId) continue;
      // Insertion order breaks ties of equal times: the later insert is the newer session.
      if (!latest || row.createdAt.getTime() >= latest.createdAt.getTime()) latest = row;
    }
    return latest ? { ...latest } : null;
  }

  async carriedFrom(basisSessionId: string): Promise<KycSessionRecord[]> {
    return [...this.#t.kycSessions.values()]
      .filter((row) => row.basisSessionId === basisSessionId && row.status === 'approved')
      .map((row) => ({ ...row }));
  }

  async setSessionStatus(
    id: string,
    status: KycSessionStatus,
    decidedAt: Date,
    decisionEventAt: Date | null,
  ): Promise<void> {
    const row = this.#t.kycSessions.get(id);
    if (row) Object.assign(row, { status, decidedAt, decisionEventAt });
  }

  async verification(personId: string): Promise<PersonVerificationRecord | null> {
    const row = this.#t.personVerifications.get(personId);
    return row ? { ...row } : null;
  }

  async saveVerification(verification: PersonVerificationRecord): Promise<void> {
    this.#t.personVerifications.set(verification.personId, { ...verification });
  }

  async recordEvent(tenantId: string, provider: string, eventId: string, at: Date): Promise<boolean> {
    const key = `${tenantId}\0${provider}\0${eventId}`;
    if (this.#t.kycEvents.has(key)) return false;
    this.#t.kycEvents.set(key, at);
    return true;
  }
}
