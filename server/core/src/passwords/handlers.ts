import type { contract } from '@enforcer/contract';
import { callerOf, type Handler, type Handlers } from '../api/handlers.js';
import { refuseImpersonation } from '../caller.js';
import { AppError } from '../errors.js';
import type { Clock } from '../platform.js';
import type { UnitOfWork } from '../store.js';
import { personIdentifier } from '../throttle/rules.js';
import type { SignInThrottle } from '../throttle/sign-in-throttle.js';
import { assertStrongPassword } from './policy.js';
import type { PasswordHasher } from './ports.js';
import { confirmResetHandler, type PasswordResetDeps, requestResetHandler } from './reset.js';

export interface PasswordHandlersDeps {
  clock: Clock;
  hasher: PasswordHasher;
  /** The sign-in throttle: the current password is guessed like a sign-in's. */
  throttle: SignInThrottle;
}

/**
 * `POST /auth/password/change`: the current password (throttled and audited like a sign-in), then the
 * new one (the policy first, so a weak choice costs no attempt). Every other session of the person, in
 * every tenant, ends; the calling one stays. A wrong password's count and audit commit with the refusal.
 */
export const changePasswordHandler =
  (uow: UnitOfWork, deps: PasswordHandlersDeps): Handler<typeof contract.password.change> =>
  async ({ body }, ctx) => {
    const caller = callerOf(ctx);
    if (caller.kind !== 'user') throw new AppError('unauthenticated', 'This call needs a signed-in user');
    refuseImpersonation(caller, "change the person's password");
    const { person, tenant } = await uow.read(async (repos) => ({
      person: (await repos.persons.find(caller.personId))!,
      tenant: (await repos.tenants.find(caller.tenantId))!,
    }));
    assertStrongPassword(body.new_password, 'body.new_password', {
      email: person.email,
      tenantName: tenant.name,
    });
    const actor = { type: 'account' as const, id: caller.accountId };
    const subject = { tenantId: caller.tenantId, identifier: personIdentifier(person), client: ctx.client };
    const outcome = await uow.transaction(async (repos) => {
      const password = await repos.passwords.find(person.id);
      if (!password) {
        throw new AppError(
          'conflict',
          'This account has no password yet: set one with POST /auth/password/reset/request',
        );
      }
      const gate = await deps.throttle.gate(subject, repos);
      if (gate) return { ok: false as const, error: gate };
      if (!(await deps.hasher.verify(password.hash, body.current_password))) {
        const limited = await deps.throttle.recordFailure(subject, 'wrong_password', repos);
        repos.audit.record({
          action: 'auth.password.change_failed',
          actor,
          tenantId: caller.tenantId,
          target: { type: 'person', id: person.id },
          ...ctx.client,
          details: { reason: 'wrong_password' },
        });
        return {
          ok: false as const,
          error: limited ?? new AppError('invalid_credentials', 'The current password is wrong'),
        };
      }
      await repos.passwords.set(person.id, await deps.hasher.hash(body.new_password), deps.clock.now());
      await deps.throttle.recordSuccess(subject, repos);
      const ended = await repos.accountSessions.endAllOfPerson(
        person.id,
        'password_changed',
        caller.sessionId,
      );
      repos.audit.record({
        action: 'auth.password.changed',
        actor,
        tenantId: caller.tenantId,
        target: { type: 'person', id: person.id },
        ...ctx.client,
        details: { sessions_revoked: ended },
      });
      return { ok: true as const, ended };
    });
    if (!outcome.ok) throw outcome.error;
    return { status: 200, body: { changed: true as const, sessions_revoked: outcome.ended } };
  };

/** `contract.password`: change (signed in) and reset by mailed code. Login and register go through the sign-in method. */
export const passwordHandlers = (
  uow: UnitOfWork,
  deps: PasswordResetDeps,
): Handlers<typeof contract.password> => ({
  change: changePasswordHandler(uow, deps),
  requestReset: requestResetHandler(uow, deps),
  confirmReset: confirmResetHandler(uow, deps),
});
