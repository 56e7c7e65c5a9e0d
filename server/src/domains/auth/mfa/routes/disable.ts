import type { contract } from '@enforcer/contract';
import { personIdentifier } from '@enforcer/core';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { Person } from '../../../identity/entities.js';
import { authContext, committed, refuse, requireUser, success } from '../../context.js';
import { PasswordCredential } from '../../methods/password/entities.js';
import { verifyPassword } from '../../methods/password/hashing.js';
import { signInThrottle } from '../../throttle/index.js';
import { RecoveryCode, TotpCredential } from '../entities.js';
import { provideSecondFactor } from '../provide-second-factor.js';
import { mfaStatus } from './status.js';

/**
 * `POST /auth/mfa/totp/disable`: re-authentication first: a TOTP or recovery code, and the password when
 * the person has one (a stolen session alone cannot turn MFA off). Removes the authenticator and every
 * recovery code. Wrong answers count towards the sign-in throttle.
 */
export const disable: AppRouteImplementation<typeof contract.mfa.disable> = async ({ body, request }) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const mfa = services.mfa;
  const throttle = signInThrottle(services);
  await committed(em, async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    if (!(await mfa.enabledTotp(tx, person.id))) {
      throw new AppError('mfa_not_enabled', 'Two-step verification is not on for this account');
    }
    const password = await tx.findOne(PasswordCredential, { person: person.id });
    if (password) {
      if (body.password === undefined) {
        const message = 'required: this account has a password';
        throw new AppError('validation_failed', 'Send your password to turn two-step verification off', {
          errors: [{ path: 'body.password', message }],
        });
      }
      const subject = { tenantId: user.tenantId, identifier: personIdentifier(person), client };
      const gate = await throttle.gate(tx, subject);
      if (!gate.ok) return refuse(gate.error);
      if (!(await verifyPassword(password.hash, body.password))) {
        const limited = await throttle.failure(tx, subject, 'wrong_password');
        recordAudit(tx, services.clock, {
          action: 'auth.mfa.failed',
          actor: { type: 'account', id: user.accountId },
          tenantId: user.tenantId,
          target: { type: 'person', id: person.id },
          ...client,
          details: { purpose: 'disable', reason: 'wrong_password' },
        });
        return refuse(limited ?? new AppError('invalid_credentials', 'The password is wrong'));
      }
    }
    const factor = 'code' in body ? { code: body.code } : { recovery_code: body.recovery_code };
    const proof = await provideSecondFactor(tx, services, {
      person,
      tenantId: user.tenantId,
      accountId: user.accountId,
      factor,
      client,
      purpose: 'disable',
    });
    if (!proof.ok) return proof;
    await tx.nativeDelete(TotpCredential, { person: person.id });
    await tx.nativeDelete(RecoveryCode, { person: person.id });
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.disabled',
      actor: { type: 'account', id: user.accountId },
      tenantId: user.tenantId,
      target: { type: 'person', id: person.id },
      ...client,
      details: { method: 'totp', proof: proof.value },
    });
    return success(undefined);
  });
  return { status: 200, body: await mfaStatus(em.fork(), mfa, user.personId) };
};
