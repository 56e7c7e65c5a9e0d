import type { contract } from '@enforcer/contract';
import { personIdentifier } from '@enforcer/core';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { Person } from '../../../identity/entities.js';
import { authContext, committed, refuse, requireUser, success } from '../../context.js';
import { signInThrottle } from '../../throttle/index.js';
import { TotpCredential } from '../entities.js';
import { invalidMfaCode } from '../mfa-service.js';

/**
 * `POST /auth/mfa/totp/confirm`: the first code from the app proves it holds the secret. MFA is on from
 * now on, for every tenant of the person; ten recovery codes are answered once (any older ones stop
 * working). A wrong code counts towards the sign-in throttle.
 */
export const confirm: AppRouteImplementation<typeof contract.mfa.confirm> = async ({ body, request }) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const mfa = services.mfa;
  const throttle = signInThrottle(services);
  const codes = await committed(em, async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`enforcer:totp:${person.id}`]);
    const credential = await tx.findOne(TotpCredential, { person: person.id });
    if (!credential || credential.enabledAt) {
      throw new AppError(
        'conflict',
        credential
          ? 'Two-step verification is already on'
          : 'Nothing to confirm: start with POST /auth/mfa/totp/enroll',
      );
    }
    const subject = { tenantId: user.tenantId, identifier: personIdentifier(person), client };
    const gate = await throttle.gate(tx, subject);
    if (!gate.ok) return refuse(gate.error);
    const check = await mfa.totp.check(credential, body.code);
    const actor = { type: 'account' as const, id: user.accountId };
    if (!check.ok) {
      const limited = await throttle.failure(tx, subject, check.reason);
      recordAudit(tx, services.clock, {
        action: 'auth.mfa.failed',
        actor,
        tenantId: user.tenantId,
        target: { type: 'person', id: person.id },
        ...client,
        details: { purpose: 'confirm', reason: check.reason },
      });
      return refuse(limited ?? invalidMfaCode());
    }
    credential.enabledAt = services.clock.now();
    credential.lastUsedStep = check.step;
    const codes = await mfa.recovery.regenerate(tx, person.id);
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.enabled',
      actor,
      tenantId: user.tenantId,
      target: { type: 'person', id: person.id },
      ...client,
      details: { method: 'totp', recovery_codes: codes.length },
    });
    return success(codes);
  });
  return { status: 200, body: { recovery_codes: codes } };
};
