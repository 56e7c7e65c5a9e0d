import type { PasswordResetConfirmBody, PasswordResetConfirmResponse } from '@enforcer/contract';
import { assertStrongPassword, countsAsGuess } from '@enforcer/core';
import { Person } from '../../../../entities/accounts.js';
import { Session } from '../../../../entities/sessions.js';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { findOrCreatePerson, lockIdentity } from '../../accounts.js';
import { type AuthRequestContext, committed, refuse, success, tenantByCode } from '../../context.js';
import { argon2Hasher } from './hashing.js';

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
