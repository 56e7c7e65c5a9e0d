import type { contract } from '@enforcer/contract';
import { personIdentifier } from '@enforcer/core';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../../../lib/errors.js';
import { recordAudit } from '../../../../audit/record-audit.js';
import { Person } from '../../../../identity/entities.js';
import { Tenant } from '../../../../tenants/entities.js';
import { Session } from '../../../../tokens/entities.js';
import { authContext, committed, refuse, requireUser, success } from '../../../context.js';
import { signInThrottle } from '../../../throttle/index.js';
import { PasswordCredential } from '../entities.js';
import { hashPassword, verifyPassword } from '../hashing.js';
import { assertStrongPassword } from '../policy.js';

/**
 * `POST /auth/password/change`: the current password (throttled and audited like a sign-in), then the new
 * one (the policy first, so a weak choice costs no attempt). Every other session of the person, in every
 * tenant, ends; the calling one stays.
 */
export const changePassword: AppRouteImplementation<typeof contract.password.change> = async ({
  body,
  request,
}) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const { clock } = services;
  const throttle = signInThrottle(services);
  const person = await em.findOneOrFail(Person, user.personId);
  const tenant = await em.findOneOrFail(Tenant, user.tenantId);
  assertStrongPassword(body.new_password, 'body.new_password', {
    email: person.email,
    tenantName: tenant.name,
  });

  const answer = await committed(em, async (tx) => {
    const actor = { type: 'account' as const, id: user.accountId };
    const credential = await tx.findOne(PasswordCredential, { person: person.id });
    if (!credential) {
      throw new AppError(
        'conflict',
        'This account has no password yet: set one with POST /auth/password/reset/request',
      );
    }
    const subject = { tenantId: user.tenantId, identifier: personIdentifier(person), client };
    const gate = await throttle.gate(tx, subject);
    if (!gate.ok) return refuse(gate.error);
    if (!(await verifyPassword(credential.hash, body.current_password))) {
      const limited = await throttle.failure(tx, subject, 'wrong_password');
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
    credential.hash = await hashPassword(body.new_password);
    credential.changedAt = now;
    await throttle.success(tx, subject);
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
  return { status: 200, body: answer };
};
