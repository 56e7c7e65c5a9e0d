import type { KycProvider } from '@enforcer/contract';

/** A tenant's KYC module settings as stored; provider secrets sealed (`SecretSealer`), never in clear. */
export interface KycSettingsRecord {
  tenantId: string;
  enabled: boolean;
  provider: KycProvider;
  /** The group an approved person's account joins. */
  group: string;
  acceptOtherTenants: boolean;
  templateId: string | null;
  environmentId: string | null;
  webhookSecretSealed: string | null;
  apiKeySealed: string | null;
  updatedAt: Date;
}

/** Where a session stands; `none` is only an answer (no session). */
export type KycSessionStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/**
 * One verification of one account in one tenant. `carried`: no provider ran, the person's verification from
 * another tenant (`basisSessionId`) was accepted; it ends when that one ends.
 */
export interface KycSessionRecord {
  id: string;
  tenantId: string;
  accountId: string;
  personId: string;
  provider: KycProvider | 'carried';
  status: KycSessionStatus;
  /** SHA-256 (base64url) of the development provider's page token; null for other providers. */
  tokenHash: string | null;
  basisSessionId: string | null;
  createdAt: Date;
  decidedAt: Date | null;
  /**
   * The provider's time of the event that decided the session (Persona's `created-at`), when it said one:
   * an older event delivered late (a retry) does not undo a newer decision.
   */
  decisionEventAt: Date | null;
}

/** The person's verification (it belongs to the person, across tenants): the last provider decision. */
export interface PersonVerificationRecord {
  personId: string;
  status: Exclude<KycSessionStatus, 'pending'>;
  /** The session whose decision this is, and its tenant. */
  sessionId: string;
  tenantId: string;
  decidedAt: Date;
}

/** The port to the KYC module's records. */
export interface KycStore {
  settings(tenantId: string): Promise<KycSettingsRecord | null>;
  /** Inserts or replaces the tenant's settings. */
  saveSettings(settings: KycSettingsRecord): Promise<void>;
  insertSession(session: Omit<KycSessionRecord, 'createdAt'> & { createdAt: Date }): Promise<void>;
  /** The session; `lock` holds it until the unit of work ends (decisions on one session serialised). */
  findSession(id: string, options?: { lock?: boolean }): Promise<KycSessionRecord | null>;
  findSessionByTokenHash(tokenHash: string, options?: { lock?: boolean }): Promise<KycSessionRecord | null>;
  /** The account's newest session in its tenant, or null. */
  latestSession(tenantId: string, accountId: string): Promise<KycSessionRecord | null>;
  /** The `carried` sessions resting on `basisSessionId` that are approved now. */
  carriedFrom(basisSessionId: string): Promise<KycSessionRecord[]>;
  setSessionStatus(
    id: string,
    status: KycSessionStatus,
    decidedAt: Date,
    decisionEventAt: Date | null,
  ): Promise<void>;
  verification(personId: string): Promise<PersonVerificationRecord | null>;
  saveVerification(verification: PersonVerificationRecord): Promise<void>;
  /**
   * Records that the tenant processed the provider's event `eventId`: true the first time, false when it
   * was recorded before (a duplicate delivery). Concurrent first deliveries: exactly one gets true.
   */
  recordEvent(tenantId: string, provider: KycProvider, eventId: string, at: Date): Promise<boolean>;
}
