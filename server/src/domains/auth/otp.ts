import type { OtpRequestResponse } from '@enforcer/contract';
import {
  type Clock,
  type CodeChannel,
  type OtpScope as CoreOtpScope,
  type OtpService as CoreOtpService,
  OTP_TTL_SECONDS,
  type OtpChallengeStore,
  type OtpIssue,
  type OtpPurpose,
  type OtpRefusalReason,
  type Refusal,
  type SendCodeInput,
  sendCode,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../lib/errors.js';

export { OTP_TTL_SECONDS, type OtpPurpose };

/** A code's scope as the routes name it: `email` holds the E.164 number of an SMS code. */
export interface OtpScope {
  email: string;
  tenantId: string | null;
  purpose: OtpPurpose;
}

export type OtpCheck = { ok: true } | { ok: false; error: AppError; reason: OtpRefusalReason };

/** The core's refusal as the server's error (`otp_attempts_exceeded` carries `Retry-After`). */
const toAppError = (refusal: Refusal & { retryAfterSeconds?: number }) =>
  new AppError(
    refusal.code,
    refusal.detail,
    refusal.retryAfterSeconds === undefined
      ? undefined
      : { headers: { 'retry-after': String(refusal.retryAfterSeconds) } },
  );

/**
 * One-time codes on the server: the rules are `@enforcer/core`'s (`OtpService`, `sendCode`), over the
 * PostgreSQL store, in the server's transactions, with refusals as AppError.
 */
export class OtpCodes {
  readonly #core: CoreOtpService;
  readonly #clock: Clock;
  readonly #storeIn: (tx: EntityManager) => OtpChallengeStore;

  /** `storeIn` gives the challenge store inside a transaction, so a check commits with its caller. */
  constructor(core: CoreOtpService, clock: Clock, storeIn: (tx: EntityManager) => OtpChallengeStore) {
    this.#core = core;
    this.#clock = clock;
    this.#storeIn = storeIn;
  }

  /** Issues a code in a transaction of its own, with `audit` (told the challenge id) in it. */
  issueAudited(
    em: EntityManager,
    scope: CoreOtpScope,
    audit: (tx: EntityManager, challengeId: string) => void,
  ): Promise<OtpIssue> {
    return em.transactional(async (tx) => {
      const issued = await this.#core.issue(scope, this.#storeIn(tx));
      if (issued.ok) audit(tx, issued.value.id);
      return issued;
    });
  }

  /** The core's `sendCode` (the same answer for everyone); a refusal is thrown as an AppError. */
  async send<C extends CodeChannel>(input: SendCodeInput<C>): Promise<OtpRequestResponse & { channel: C }> {
    const sent = await sendCode(this.#core, this.#clock, input);
    if (!sent.ok) throw toAppError(sent);
    return sent.value;
  }

  /**
   * Checks `code` against the live challenge of `scope` in the caller's transaction; a right code is
   * spent, a wrong one counted. RETURNS failures instead of throwing, because the counted attempt must be
   * committed: commit, then throw `error`.
   */
  async verify(em: EntityManager, scope: OtpScope, code: string): Promise<OtpCheck> {
    const check = await this.#core.verify(
      { address: scope.email, tenantId: scope.tenantId, purpose: scope.purpose },
      code,
      this.#storeIn(em),
    );
    return check.ok ? { ok: true } : { ok: false, error: toAppError(check), reason: check.reason };
  }
}
