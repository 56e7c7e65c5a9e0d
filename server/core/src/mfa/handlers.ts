import type {
  contract,
  MfaEnrollConfirmBody,
  MfaEnrolledSignIn,
  MfaVerifyBody,
  SecondFactor,
  TokenResponse,
} from '@enforcer/contract';
import { statusRefusal } from '../accounts/status.js';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import type { SessionTokens } from '../auth/open-session.js';
import { auditActorOf, type ClientInfo, refuseImpersonation, type UserCaller } from '../caller.js';
import { AppError } from '../errors.js';
import type { PasswordHasher } from '../passwords/ports.js';
import { webCryptoHashing } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { personIdentifier } from '../throttle/rules.js';
import {
  amrOfSecondFactor,
  MFA_CHALLENGE_MAX_ATTEMPTS,
  MFA_TOKEN_PREFIX,
  type MfaOutcome,
  mfaNotEnabled,
  mfaTokenInvalid,
  type SecondFactorDeps,
  type SecondFactorMethod,
  SecondFactors,
} from './second-factor.js';

/** What the MFA routes need besides storage: each side's keys, QR code drawing, password hasher and sessions. */
export interface MfaHandlerDeps extends SecondFactorDeps {
  uow: UnitOfWork;
  /** The otpauth URI as a QR code data URL (the server draws a PNG; the mock answers a placeholder). */
  qrCode(uri: string): Promise<string>;
  /** Checks the password of a person who has one before two-step verification is turned off. */
  hasher: PasswordHasher;
  /** Opens the session of a finished sign-in (the login flow's sessions) and steps a session up. */
  sessions: Pick<SessionTokens, 'open' | 'stepUp'>;
}

const userOf = (ctx: HandlerContext): UserCaller => {
  const caller = callerOf(ctx);
  if (caller.kind !== 'user') throw new AppError('unauthenticated', 'This call needs a signed-in user');
  refuseImpersonation(caller, "manage or use the person's second factor");
  return caller;
};

const who = (caller: UserCaller, client: ClientInfo) => ({
  personId: caller.personId,
  tenantId: caller.tenantId,
  accountId: caller.accountId,
  client,
});

const factorOf = (body: SecondFactor): SecondFactor =>
  'code' in body ? { code: body.code } : { recovery_code: body.recovery_code };

/** Runs a unit of work whose refusal must commit with it, then raises the refusal. */
async function committed<T>(uow: UnitOfWork, work: (repos: Repositories) => Promise<MfaOutcome<T>>) {
  const outcome = await uow.transaction(work);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/**
 * `contract.mfa`: TOTP enrollment, recovery codes, finishing an MFA-gated sign-in (`verify`), step-up.
 * Wrong codes and passwords count on the sign-in throttle and commit with the refusal.
 */
export function mfaHandlers(deps: MfaHandlerDeps): Handlers<typeof contract.mfa> {
  const { uow, clock, throttle } = deps;
  const factors = new SecondFactors(deps);

  const requireEnabled = async (repos: Repositories, personId: string, detail?: string) => {
    if (!(await factors.enabled(repos, personId))) throw mfaNotEnabled(detail);
  };

  type LiveChallenge = Awaited<ReturnType<typeof liveChallenge>>;

  /** A refused second step of a held-back sign-in, audited as a failed sign-in at `stage`. */
  const refuseSignIn = (
    repos: Repositories,
    challenge: LiveChallenge,
    client: ClientInfo,
    stage: 'mfa' | 'mfa_enrollment',
    reason: string,
    error: AppError,
  ) => {
    repos.audit.record({
      action: 'auth.login.failed',
      actor: { type: 'account', id: challenge.accountId },
      tenantId: challenge.tenantId,
      target: { type: 'mfa_challenge', id: challenge.id },
      ...client,
      details: { provider: challenge.provider, stage, reason },
    });
    return { ok: false as const, error };
  };

  /**
   * The end of a held-back sign-in whose second factor was proved: the challenge spent, the account's
   * status checked again, the session opened with both factors' `amr` and `mfa_at` = now, audited.
   */
  const openSession = async (
    repos: Repositories,
    challenge: LiveChallenge,
    client: ClientInfo,
    secondFactor: SecondFactorMethod,
    refuse: (reason: string, error: AppError) => { ok: false; error: AppError },
    details: Record<string, unknown> = {},
  ) => {
    const now = clock.now();
    const { accountId, tenantId } = challenge;
    await repos.mfa.updateChallenge(challenge.id, { consumedAt: now });
    const account = await repos.accounts.find(tenantId, accountId);
    const refusal = account
      ? statusRefusal(account)
      : new AppError('account_inactive', 'This account is gone');
    if (refusal) return refuse(refusal.code, refusal);
    const amr = [...new Set([...challenge.amr, ...amrOfSecondFactor(secondFactor)])];
    const session = await deps.sessions.open(repos, { accountId, amr, client, mfaAt: now });
    repos.audit.record({
      action: 'auth.login.succeeded',
      actor: { type: 'account', id: accountId },
      tenantId,
      target: { type: 'session', id: session.sessionId },
      ...client,
      details: { provider: challenge.provider, amr, second_factor: secondFactor, ...details },
    });
    return { ok: true as const, session };
  };

  /**
   * `POST /auth/mfa/verify`: the challenge (found by the SHA-256 of its token, locked) must be live; a wrong
   * code counts on the challenge (5 burn it) and on the throttle. A right one spends the challenge and opens
   * the session with the first factor's `amr` plus the second's, and `mfa_at` = now.
   */
  const verify = async (body: MfaVerifyBody, client: ClientInfo): Promise<MfaOutcome<TokenResponse>> =>
    uow.transaction(async (repos) => {
      const challenge = await liveChallenge(repos, body.mfa_token);
      const { accountId, personId, tenantId } = challenge;
      const failed = (reason: string, error: AppError) =>
        refuseSignIn(repos, challenge, client, 'mfa', reason, error);
      const person = await repos.persons.find(personId);
      const subject = { tenantId, identifier: person && personIdentifier(person), client };
      const gate = await throttle.gate(subject, repos);
      if (gate) return failed(gate.code, gate);
      const check = await factors.checkFactor(repos, personId, factorOf(body));
      if (!check.ok) {
        const attempts = challenge.attempts + 1;
        await repos.mfa.updateChallenge(challenge.id, { attempts });
        const limited = await throttle.recordFailure(subject, check.reason, repos);
        const burnt = attempts >= MFA_CHALLENGE_MAX_ATTEMPTS;
        return failed(check.reason, limited ?? (burnt ? mfaTokenInvalid() : check.error));
      }
      const opened = await openSession(repos, challenge, client, check.method, failed);
      if (!opened.ok) return opened;
      await throttle.recordSuccess(subject, repos);
      if (check.method === 'recovery_code') {
        await factors.recoveryCodeUsed(repos, { accountId, personId, tenantId, client }, 'sign_in');
      }
      return { ok: true as const, value: opened.session.response };
    });

  /**
   * The challenge of an MFA-gated sign-in, live (not spent, not expired, not burnt by wrong codes), or
   * `401 mfa_token_invalid`.
   */
  const liveChallenge = async (repos: Repositories, token: string) => {
    if (!token.startsWith(MFA_TOKEN_PREFIX) || token.length > 100) throw mfaTokenInvalid();
    const challenge = await repos.mfa.findChallenge(await webCryptoHashing.sha256(token));
    const now = clock.now();
    if (
      !challenge ||
      challenge.consumedAt ||
      challenge.expiresAt <= now ||
      challenge.attempts >= MFA_CHALLENGE_MAX_ATTEMPTS
    ) {
      throw mfaTokenInvalid();
    }
    return challenge;
  };

  /**
   * `POST /auth/mfa/enroll/confirm`: the sign-in the tenant held back until the person enrols. A right first
   * code turns TOTP on (`factors.confirm`: recovery codes, audited `auth.mfa.enabled`), spends the challenge
   * and opens the session with `mfa_at` = now; a wrong one counts on the challenge (5 burn it) and on the
   * throttle, as at `POST /auth/mfa/verify`.
   */
  const confirmAtSignIn = async (
    body: MfaEnrollConfirmBody,
    client: ClientInfo,
  ): Promise<MfaOutcome<MfaEnrolledSignIn>> =>
    uow.transaction(async (repos) => {
      const challenge = await liveChallenge(repos, body.mfa_token);
      const { accountId, personId, tenantId } = challenge;
      const failed = (reason: string, error: AppError) =>
        refuseSignIn(repos, challenge, client, 'mfa_enrollment', reason, error);
      const confirmed = await factors.confirm(repos, {
        personId,
        tenantId,
        accountId,
        code: body.code,
        client,
      });
      if (!confirmed.ok) {
        const attempts = challenge.attempts + 1;
        await repos.mfa.updateChallenge(challenge.id, { attempts });
        const burnt = attempts >= MFA_CHALLENGE_MAX_ATTEMPTS;
        return failed(confirmed.error.code, burnt ? mfaTokenInvalid() : confirmed.error);
      }
      const opened = await openSession(repos, challenge, client, 'totp', failed, { enrolled: true });
      if (!opened.ok) return opened;
      return { ok: true as const, value: { ...opened.session.response, recovery_codes: confirmed.value } };
    });

  return {
    enrollAtSignIn: async ({ body }, ctx) => {
      const enrollment = await uow.transaction(async (repos) => {
        const { personId, tenantId, accountId } = await liveChallenge(repos, body.mfa_token);
        return factors.enroll(repos, { personId, tenantId, accountId, client: ctx.client });
      });
      return { status: 200, body: { ...enrollment, qr_code: await deps.qrCode(enrollment.otpauth_uri) } };
    },

    confirmEnrollmentAtSignIn: async ({ body }, ctx) => {
      const outcome = await confirmAtSignIn(body, ctx.client);
      if (!outcome.ok) throw outcome.error;
      return { status: 200, body: outcome.value };
    },

    status: async (_request, ctx) => {
      const { personId } = userOf(ctx);
      return { status: 200, body: await uow.read((repos) => factors.status(repos, personId)) };
    },

    enroll: async (_request, ctx) => {
      const caller = userOf(ctx);
      const enrollment = await uow.transaction((repos) => factors.enroll(repos, who(caller, ctx.client)));
      return { status: 200, body: { ...enrollment, qr_code: await deps.qrCode(enrollment.otpauth_uri) } };
    },

    confirm: async ({ body }, ctx) => {
      const caller = userOf(ctx);
      const codes = await committed(uow, (repos) =>
        factors.confirm(repos, { ...who(caller, ctx.client), code: body.code }),
      );
      return { status: 200, body: { recovery_codes: codes } };
    },

    /**
     * Turning TOTP off: a TOTP or recovery code, and the password when the person has one (a stolen session
     * alone cannot turn MFA off). Removes the authenticator and every recovery code.
     */
    disable: async ({ body }, ctx) => {
      const caller = userOf(ctx);
      const input = who(caller, ctx.client);
      await committed(uow, async (repos) => {
        await requireEnabled(repos, caller.personId);
        const password = await repos.passwords.find(caller.personId);
        if (password) {
          if (body.password === undefined) {
            const message = 'required: this account has a password';
            throw new AppError('validation_failed', 'Send your password to turn two-step verification off', {
              errors: [{ path: 'body.password', message }],
            });
          }
          const person = await repos.persons.find(caller.personId);
          const subject = {
            tenantId: caller.tenantId,
            identifier: person && personIdentifier(person),
            client: ctx.client,
          };
          const gate = await throttle.gate(subject, repos);
          if (gate) return { ok: false, error: gate };
          if (!(await deps.hasher.verify(password.hash, body.password))) {
            const limited = await throttle.recordFailure(subject, 'wrong_password', repos);
            repos.audit.record({
              action: 'auth.mfa.failed',
              actor: auditActorOf(caller),
              tenantId: caller.tenantId,
              target: { type: 'person', id: caller.personId },
              ...ctx.client,
              details: { purpose: 'disable', reason: 'wrong_password' },
            });
            return {
              ok: false,
              error: limited ?? new AppError('invalid_credentials', 'The password is wrong'),
            };
          }
        }
        const proof = await factors.provide(repos, { ...input, factor: factorOf(body), purpose: 'disable' });
        if (!proof.ok) return proof;
        await repos.mfa.deleteFactors(caller.personId);
        repos.audit.record({
          action: 'auth.mfa.disabled',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'person', id: caller.personId },
          ...ctx.client,
          details: { method: 'totp', proof: proof.value },
        });
        return { ok: true, value: undefined };
      });
      return { status: 200, body: await uow.read((repos) => factors.status(repos, caller.personId)) };
    },

    /** New recovery codes: a TOTP or recovery code first, then ten new codes (the old ones die). */
    regenerateRecoveryCodes: async ({ body }, ctx) => {
      const caller = userOf(ctx);
      const codes = await committed(uow, async (repos) => {
        await requireEnabled(repos, caller.personId);
        const proof = await factors.provide(repos, {
          ...who(caller, ctx.client),
          factor: factorOf(body),
          purpose: 'regenerate_recovery_codes',
        });
        if (!proof.ok) return proof;
        const codes = await factors.regenerateCodes(repos, caller.personId);
        repos.audit.record({
          action: 'auth.mfa.recovery_codes.regenerated',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'person', id: caller.personId },
          ...ctx.client,
          details: { proof: proof.value, count: codes.length },
        });
        return { ok: true, value: codes };
      });
      return { status: 200, body: { recovery_codes: codes } };
    },

    verify: async ({ body }, ctx) => {
      const outcome = await verify(body, ctx.client);
      if (!outcome.ok) throw outcome.error;
      return { status: 200, body: outcome.value };
    },

    /**
     * Step-up: the signed-in person proves the second factor again. The session's `amr` gains the factor and
     * its `mfa_at` becomes now; the answer is a new access token for the same session carrying both.
     */
    stepUp: async ({ body }, ctx) => {
      const caller = userOf(ctx);
      const answer = await committed(uow, async (repos) => {
        await requireEnabled(
          repos,
          caller.personId,
          'Two-step verification is not on: enroll with POST /auth/mfa/totp/enroll',
        );
        const proof = await factors.provide(repos, {
          ...who(caller, ctx.client),
          factor: factorOf(body),
          purpose: 'step_up',
        });
        if (!proof.ok) return proof;
        const now = clock.now();
        const access = await deps.sessions.stepUp(repos, {
          sessionId: caller.sessionId,
          accountId: caller.accountId,
          amr: amrOfSecondFactor(proof.value),
          mfaAt: now,
        });
        repos.audit.record({
          action: 'auth.mfa.step_up',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'session', id: caller.sessionId },
          ...ctx.client,
          details: { method: proof.value, amr: access.amr },
        });
        return {
          ok: true,
          value: {
            token: access.token,
            token_type: 'Bearer' as const,
            expires_at: access.expiresAt.toISOString(),
            amr: [...access.amr],
            mfa_at: now.toISOString(),
          },
        };
      });
      return { status: 200, body: answer };
    },
  };
}
