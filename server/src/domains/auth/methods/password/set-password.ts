import type {
  ChangePasswordBody,
  ChangePasswordResponse,
  PasswordResetConfirmBody,
  PasswordResetConfirmResponse,
} from '@enforcer/contract';
import { assertStrongPassword, countsAsGuess, personIdentifier } from '@enforcer/core';
import { Person } from '../../../../entities/accounts.js';
import { Session } from '../../../../entities/sessions.js';
import { Tenant } from '../../../../entities/tenants.js';
import type { UserPrincipal } from '../../../../http/principal.js';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { findOrCreatePerson, lockIdentity } from '../../accounts.js';
import { type AuthRequestContext, committed, refuse, success, tenantByCode } from '../../context.js';
import { argon2Hasher } from './hashing.js';

/**
 * Changing a password (`POST /auth/password/change`): the current password (throttled and audited like
 * a sign-in), then the new one (the policy first, so a weak choice costs no attempt). Every other session of the person, in every
 * tenant, ends; the calling one stays.
 */
export async function changePassword(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  body: ChangePasswordBody,
): Promise<ChangePasswordResponse> {
  const { clock } = services;
  const throttle = services.throttle;
  const person = await em.findOneOrFail(Person, user.personId);
  const tenant = await em.findOneOrFail(Tenant, user.tenantId);
  assertStrongPassword(body.new_password, 'body.new_password', {
    email: person.email,
    tenantName: tenant.name,
  });

  const answer = await committed(em, async (tx) => {
    const actor = { type: 'account' as const, id: user.accountId };
    const passwords = services.uow.within(tx).passwords;
    const credential = await passwords.find(person.id);
    if (!credential) {
      throw new AppError(
        'conflict',
        'This account has no password yet: set one with POST /auth/password/reset/request',
      );
    }
    const subject = { tenantId: user.tenantId, identifier: personIdentifier(person), client };
    const gate = await throttle.gate(subject, services.uow.within(tx));
    if (gate) return refuse(gate);
    if (!(await argon2Hasher.verify(credential.hash, body.current_password))) {
      const limited = await throttle.recordFailure(subject, 'wrong_password', services.uow.within(tx));
      recordAudit(tx, clock, {
        action: 'auth.password.change_failed',
        actor,
        tenantId: user.tenantId,
        target: { type: 'person', id: person.id },
        ...client,
        details: { reason: 'wrong_password' },
      });
      return refuse(limited ?? new AppError('invalid_credentials', 'The current password is wrong'));
    }
    const now = clock.now();
    await passwords.set(person.id, await argon2Hasher.hash(body.new_password), now);
    await throttle.recordSuccess(subject, services.uow.within(tx));
    const ended = await tx.nativeUpdate(
      Session,
      { person: person.id, revokedAt: null, id: { $ne: user.sessionId } },
      { revokedAt: now, revokeReason: 'password_changed' },
    );
    recordAudit(tx, clock, {
      action: 'auth.password.changed',
      actor,
      tenantId: user.tenantId,
      target: { type: 'person', id: person.id },
      ...client,
      details: { sessions_revoked: ended },
    });
    return success({ changed: true as const, sessions_revoked: ended });
  });
  return answer;
}

/**
 * Confirming a reset (`POST /auth/password/reset/confirm`): the new password is checked against the
 * policy first (a weak one costs no try), then the mailed code (counted like a sign-in attempt). The code proves the email: the
 * person is marked verified (and created if the email was new, without any account: the tenant's sign-up
 * rules apply at login), the password is set, and every session of the person ends. MFA stays on: a
 * mailbox alone never removes the second factor.
 */
export async function confirmPasswordReset(
  { services, em, client }: AuthRequestContext,
  body: PasswordResetConfirmBody,
): Promise<PasswordResetConfirmResponse> {
  const { clock } = services;
  const throttle = services.throttle;
  const tenant = await tenantByCode(em, body.tenant_code);
  if (!tenant.authProviders.includes('password')) {
    throw new AppError('provider_not_allowed', 'This tenant does not accept passwords');
  }
  assertStrongPassword(body.new_password, 'body.new_password', {
    email: body.email,
    tenantName: tenant.name,
  });

  const answer = await committed(em, async (tx) => {
    const subject = { tenantId: tenant.id, identifier: body.email, client };
    const failed = (reason: string, error: AppError) => {
      recordAudit(tx, clock, {
        action: 'auth.password.reset_failed',
        actor: { type: 'anonymous' },
        tenantId: tenant.id,
        target: { type: 'tenant', id: tenant.id },
        ...client,
        details: { email: body.email, reason },
      });
      return refuse(error);
    };
    const gate = await throttle.gate(subject, services.uow.within(tx));
    if (gate) return failed(gate.code, gate);
    const check = await services.otp.verify(
      tx,
      { email: body.email, tenantId: tenant.id, purpose: 'password_reset' },
      body.code,
    );
    if (!check.ok) {
      const limited = countsAsGuess(check.reason)
        ? await throttle.recordFailure(subject, check.reason, services.uow.within(tx))
        : undefined;
      return failed(check.reason, limited ?? check.error);
    }

    const now = clock.now();
    await lockIdentity(tx, body.email);
    const known = await tx.findOne(Person, { email: body.email });
    const live = known ? await tx.count(Session, { person: known.id, revokedAt: null }) : 0;
    // Proving the email may end sessions by itself (a password set before any proof: first-proof.ts).
    const { person } = await findOrCreatePerson(tx, clock, { email: body.email, emailVerified: true });
    await tx.flush();
    await services.uow.within(tx).passwords.set(person.id, await argon2Hasher.hash(body.new_password), now);
    await throttle.recordSuccess(subject, services.uow.within(tx));
    await tx.nativeUpdate(
      Session,
      { person: person.id, revokedAt: null },
      { revokedAt: now, revokeReason: 'password_reset' },
    );
    const ended = live;
    recordAudit(tx, clock, {
      action: 'auth.password.reset',
      actor: { type: 'person', id: person.id },
      tenantId: tenant.id,
      target: { type: 'person', id: person.id },
      ...client,
      details: { sessions_revoked: ended },
    });
    return success({ reset: true as const, sessions_revoked: ended });
  });
  return answer;
}
