import type { contract } from '@enforcer/contract';
import type { Handler } from '../api/handlers.js';
import { findOrCreatePerson } from '../auth/resolve-person.js';
import { type IssuedOtp, OTP_TTL_SECONDS, type OtpService, otpRefusal } from '../codes/otp.js';
import type { OtpScope } from '../codes/ports.js';
import { sendCode } from '../codes/send-code.js';
import { AppError, refusalError } from '../errors.js';
import { type MessageOutboxDeps, queueMail } from '../messaging/outbox.js';
import type { Clock, MailDelivery } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import { countsAsGuess } from '../throttle/rules.js';
import { countSend, type SendLimits } from '../throttle/send-limits.js';
import type { SignInThrottle } from '../throttle/sign-in-throttle.js';
import { passwordResetMessage } from './messages.js';
import { forgetUnprovenCredentials } from './method.js';
import { assertStrongPassword } from './policy.js';
import type { PasswordHasher } from './ports.js';

/** What the password routes need besides storage (the change uses the first three). */
export interface PasswordResetDeps {
  clock: Clock;
  hasher: PasswordHasher;
  /** The sign-in throttle: a reset code is guessed like a sign-in's. */
  throttle: SignInThrottle;
  otp: OtpService;
  /** Sends the reset mail (the mock sends nothing). A failure is `503 unavailable`. */
  mail: Pick<MailDelivery, 'send'>;
  /**
   * The mail outbox (the server's): the reset mail is queued with the code, in its unit of work, with the
   * tenant's template and sender; without it (the mock), `mail` sends it.
   */
  outbox?: MessageOutboxDeps;
  /** Development and test: the code in the answer; production never. */
  exposeCodes: boolean;
  /** Told of a mail delivery failure (the server logs it). */
  onDeliveryFailure?(error: unknown): void;
  /** Told of every code issued, in its unit of work (the mock keeps them for `mock.lastOtp`). */
  onIssued?(scope: OtpScope, issued: IssuedOtp): void;
  /** Per destination and client (default `SEND_LIMITS`). */
  sendLimits?: SendLimits;
}

/** The tenant of `code`, which must accept passwords (its accepted methods are public anyway). */
async function passwordTenant(repos: Repositories, code: string): Promise<TenantRecord> {
  const tenant = await repos.tenants.findByCode(code);
  if (!tenant) throw new AppError('not_found', 'No tenant has this code');
  if (!tenant.authProviders.includes('password')) {
    throw new AppError('provider_not_allowed', 'This tenant does not accept passwords');
  }
  return tenant;
}

/**
 * `POST /auth/password/reset/request`: mails a six-digit code (the one-time-code machinery: ten minutes,
 * single use, keyed hash, five wrong tries per chain of requests, and asking again never resets that
 * count). A code is issued and mailed for every well-formed email, so the answer, its timing and the work
 * done never depend on whether the email belongs to anyone. Each issued code is audited
 * (`auth.password.reset_requested`) in the unit of work that issues it.
 */
export const requestResetHandler =
  (uow: UnitOfWork, deps: PasswordResetDeps): Handler<typeof contract.password.requestReset> =>
  async ({ body }, ctx) => {
    const tenant = await uow.read((repos) => passwordTenant(repos, body.tenant_code));
    const sent = await sendCode(deps.otp, deps.clock, {
      channel: 'email',
      scope: { address: body.email, tenantId: tenant.id, purpose: 'password_reset' },
      accepted: true,
      exposeCode: deps.exposeCodes,
      issue: (scope) =>
        uow.transaction(async (repos) => {
          await countSend(
            repos,
            deps.clock.now(),
            {
              channel: 'email',
              address: body.email,
              tenant,
              ip: ctx.client.ip,
            },
            deps.sendLimits,
          );
          const issued = await deps.otp.issue(scope, repos.codes);
          if (!issued.ok) return issued;
          repos.audit.record({
            action: 'auth.password.reset_requested',
            actor: { type: 'anonymous' },
            tenantId: tenant.id,
            target: { type: 'otp_challenge', id: issued.value.id },
            ...ctx.client,
            details: { email: body.email },
          });
          if (deps.outbox) {
            await queueMail(repos, deps.outbox, {
              tenant,
              kind: 'password_reset',
              to: body.email,
              variables: {
                code: issued.value.code,
                expires_minutes: String(Math.round(OTP_TTL_SECONDS / 60)),
              },
            });
          }
          deps.onIssued?.(scope, issued.value);
          return issued;
        }),
      deliver: async (code) => {
        if (deps.outbox) deps.outbox.onQueued?.();
        else {
          await deps.mail.send(
            passwordResetMessage({ to: body.email, code, tenant, ttlSeconds: OTP_TTL_SECONDS }),
          );
        }
      },
      onDeliveryFailure: (error) => deps.onDeliveryFailure?.(error),
    });
    if (!sent.ok) throw refusalError(otpRefusal(sent));
    return { status: 200, body: sent.value };
  };

/**
 * `POST /auth/password/reset/confirm`: the new password is checked against the policy first (a weak one
 * costs no try), then the mailed code (counted like a sign-in attempt; the count and the audit commit with
 * the refusal). The code proves the email: the person is marked verified (and created if the email was
 * new, without any account: the tenant's sign-up rules apply at login), which runs the first-proof rule
 * before the new password is set; then every session of the person ends. MFA stays on: a mailbox alone
 * never removes a second factor the person set up after proving the email.
 */
export const confirmResetHandler =
  (uow: UnitOfWork, deps: PasswordResetDeps): Handler<typeof contract.password.confirmReset> =>
  async ({ body }, ctx) => {
    const tenant = await uow.read((repos) => passwordTenant(repos, body.tenant_code));
    assertStrongPassword(body.new_password, 'body.new_password', {
      email: body.email,
      tenantName: tenant.name,
    });
    const subject = { tenantId: tenant.id, identifier: body.email, client: ctx.client };
    const outcome = await uow.transaction(async (repos) => {
      const failed = (reason: string, error: AppError) => {
        repos.audit.record({
          action: 'auth.password.reset_failed',
          actor: { type: 'anonymous' },
          tenantId: tenant.id,
          target: { type: 'tenant', id: tenant.id },
          ...ctx.client,
          details: { email: body.email, reason },
        });
        return { ok: false as const, error };
      };
      const gate = await deps.throttle.gate(subject, repos);
      if (gate) return failed(gate.code, gate);
      const scope = { address: body.email, tenantId: tenant.id, purpose: 'password_reset' as const };
      const check = await deps.otp.verify(scope, body.code, repos.codes);
      if (!check.ok) {
        const limited = countsAsGuess(check.reason)
          ? await deps.throttle.recordFailure(subject, check.reason, repos)
          : undefined;
        return failed(check.reason, limited ?? refusalError(otpRefusal(check)));
      }

      const now = deps.clock.now();
      await repos.persons.lock(body.email);
      // The first proof of the email drops a password set before it, and its sessions: counted as ended.
      let endedByProof = 0;
      const { person } = await findOrCreatePerson(
        repos,
        deps.clock,
        { email: body.email, emailVerified: true },
        async (r, personId) => {
          endedByProof = await forgetUnprovenCredentials(r, deps.clock, personId);
        },
      );
      await repos.passwords.set(person.id, await deps.hasher.hash(body.new_password), now);
      await deps.throttle.recordSuccess(subject, repos);
      const ended = endedByProof + (await repos.sessions.revokeOfPerson(person.id, 'password_reset', now));
      repos.audit.record({
        action: 'auth.password.reset',
        actor: { type: 'person', id: person.id },
        tenantId: tenant.id,
        target: { type: 'person', id: person.id },
        ...ctx.client,
        details: { sessions_revoked: ended },
      });
      return { ok: true as const, ended };
    });
    if (!outcome.ok) throw outcome.error;
    return { status: 200, body: { reset: true as const, sessions_revoked: outcome.ended } };
  };
