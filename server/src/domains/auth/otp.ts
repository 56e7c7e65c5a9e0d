import {
  type OtpService as CoreOtpService,
  OTP_TTL_SECONDS,
  type OtpPurpose,
  type OtpRefusal,
  type OtpRefusalReason,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../lib/errors.js';
import { PostgresOtpChallengeStore } from '../../stores/postgres/codes.js';

export { OTP_TTL_SECONDS, type OtpPurpose };
export type PhoneOtpPurpose = Extract<OtpPurpose, 'phone_login' | 'verify_phone'>;

/** A code's scope as the routes name it: `email` holds the E.164 number of an SMS code. */
export interface OtpScope {
  email: string;
  tenantId: string | null;
  purpose: OtpPurpose;
}

export type OtpCheck = { ok: true } | { ok: false; error: AppError; reason: OtpRefusalReason };

/** The core's refusal as the server's error (`otp_attempts_exceeded` carries `Retry-After`). */
const toAppError = (refusal: OtpRefusal) =>
  new AppError(
    refusal.code,
    refusal.detail,
    refusal.retryAfterSeconds === undefined
      ? undefined
      : { headers: { 'retry-after': String(refusal.retryAfterSeconds) } },
  );

/**
 * One-time codes (the rules are `@enforcer/core`'s `OtpService`) in the caller's transaction, over the
 * PostgreSQL store. `verify` RETURNS failures instead of throwing, because the counted attempt must be
 * committed: commit, then throw `error`.
 */
export class OtpCodes {
  readonly #core: CoreOtpService;

  constructor(core: CoreOtpService) {
    this.#core = core;
  }

  /** Issues a code for `scope` (throws `otp_attempts_exceeded` while the scope is burnt). */
  async issue(em: EntityManager, scope: OtpScope): Promise<{ code: string; expiresAt: Date; id: string }> {
    const issued = await this.#core.issue(
      { address: scope.email, tenantId: scope.tenantId, purpose: scope.purpose },
      new PostgresOtpChallengeStore({ tx: em }),
    );
    if (!issued.ok) throw toAppError(issued);
    return issued.value;
  }

  /** Checks `code` against the live challenge of `scope`; a right code is spent, a wrong one counted. */
  async verify(em: EntityManager, scope: OtpScope, code: string): Promise<OtpCheck> {
    const check = await this.#core.verify(
      { address: scope.email, tenantId: scope.tenantId, purpose: scope.purpose },
      code,
      new PostgresOtpChallengeStore({ tx: em }),
    );
    return check.ok ? { ok: true } : { ok: false, error: toAppError(check), reason: check.reason };
  }
}
