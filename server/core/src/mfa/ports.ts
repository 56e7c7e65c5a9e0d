/**
 * A person's TOTP authenticator (RFC 6238), one per person, valid in every tenant. `enabledAt` null = an
 * enrollment waiting for its first code. `lastUsedStep` is the time step of the last accepted code: a code
 * of that step or an earlier one is refused (no replay).
 */
export interface TotpFactorRecord {
  id: string;
  personId: string;
  /** The base32 secret, sealed (`SecretSealer`) and bound to the person. */
  secretSealed: string;
  lastUsedStep: number | null;
  createdAt: Date;
  enabledAt: Date | null;
}

/** One single-use recovery code: only a keyed hash of it is kept. */
export interface RecoveryCodeRecord {
  id: string;
  personId: string;
  codeHash: string;
  usedAt: Date | null;
  createdAt: Date;
}

/**
 * A sign-in waiting for its second factor (the `mfa_token` of `401 mfa_required`): the first factor was
 * right, no session exists yet. Only the SHA-256 of the token is kept.
 */
export interface MfaChallengeRecord {
  id: string;
  tokenHash: string;
  accountId: string;
  personId: string;
  tenantId: string;
  /** The login method of the first factor (`password`, `email_otp`, ...). */
  provider: string;
  /** The `amr` of the first factor; the second factor's values are added when the session opens. */
  amr: string[];
  attempts: number;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
}

/** The port to second factors (TOTP, recovery codes, sign-in challenges), in the unit of work's transaction. */
export interface MfaStore {
  /** Serialises changes to one person's second factor until the unit of work ends (enroll, confirm, checks). */
  lock(personId: string): Promise<void>;
  findTotp(personId: string): Promise<TotpFactorRecord | null>;
  /** Stores the person's authenticator, replacing the one they had (one per person). */
  saveTotp(record: TotpFactorRecord): Promise<void>;
  /** Removes the person's authenticator and every recovery code: whether there was an authenticator. */
  deleteFactors(personId: string): Promise<boolean>;
  /** Replaces the person's recovery codes with these. */
  replaceRecoveryCodes(personId: string, codes: RecoveryCodeRecord[]): Promise<void>;
  /** Marks the unused code with this hash used at `at`: true once per code, even for concurrent spends. */
  spendRecoveryCode(personId: string, codeHash: string, at: Date): Promise<boolean>;
  /** How many of the person's recovery codes are unused. */
  recoveryCodesLeft(personId: string): Promise<number>;
  insertChallenge(record: MfaChallengeRecord): Promise<void>;
  /**
   * The challenge with this token hash, locked until the unit of work ends (concurrent verifications of
   * one token run one after the other), or null. Whether it is still live is the caller's rule.
   */
  findChallenge(tokenHash: string): Promise<MfaChallengeRecord | null>;
  updateChallenge(
    id: string,
    changes: Partial<Pick<MfaChallengeRecord, 'attempts' | 'consumedAt'>>,
  ): Promise<void>;
}
