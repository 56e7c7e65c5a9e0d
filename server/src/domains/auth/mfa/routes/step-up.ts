import type { contract } from '@enforcer/contract';
import { LockMode } from '@mikro-orm/postgresql';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { Person } from '../../../identity/entities.js';
import { loadGrant } from '../../../identity/load-grant.js';
import { Session } from '../../../tokens/entities.js';
import { authContext, committed, requireUser, success } from '../../context.js';
import { amrOfSecondFactor } from '../mfa-service.js';
import { provideSecondFactor } from '../provide-second-factor.js';

/**
 * `POST /auth/mfa/step-up`: the signed-in person proves the second factor again. The session's `amr`
 * gains the factor and its `mfa_at` becomes now; the answer is a new access token for the same session
 * carrying both (the refresh token is unchanged, and later refreshes carry the new `mfa_at` too). The
 * server gives the policy `subject.attributes.mfa_at` and `mfa_age_seconds` from the token, so a rule
 * can demand a recent second factor for an action.
 */
export const stepUp: AppRouteImplementation<typeof contract.mfa.stepUp> = async ({ body, request }) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const mfa = services.mfa;
  const answer = await committed(em, async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    if (!(await mfa.enabledTotp(tx, person.id))) {
      throw new AppError(
        'mfa_not_enabled',
        'Two-step verification is not on: enroll with POST /auth/mfa/totp/enroll',
      );
    }
    const proof = await provideSecondFactor(tx, services, {
      person,
      tenantId: user.tenantId,
      accountId: user.accountId,
      factor: body,
      client,
      purpose: 'step_up',
    });
    if (!proof.ok) return proof;
    const now = services.clock.now();
    const session = await tx.findOneOrFail(Session, user.sessionId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    session.amr = [...new Set([...session.amr, ...amrOfSecondFactor(proof.value)])];
    session.mfaAt = now;
    const grant = await loadGrant(tx, user.accountId);
    if (!grant?.active) throw new AppError('account_inactive', 'This account has been deactivated');
    const access = await services.accessTokens.issue({
      accountId: grant.accountId,
      personId: grant.personId,
      tenantId: grant.tenantId,
      sessionId: session.id,
      roles: grant.roles,
      groups: grant.groups,
      amr: session.amr,
      mfaAt: now,
      grantVersion: grant.grantVersion,
    });
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.step_up',
      actor: { type: 'account', id: user.accountId },
      tenantId: user.tenantId,
      target: { type: 'session', id: session.id },
      ...client,
      details: { method: proof.value, amr: session.amr },
    });
    return success({
      token: access.token,
      token_type: 'Bearer' as const,
      expires_at: access.expiresAt.toISOString(),
      amr: [...session.amr],
      mfa_at: now.toISOString(),
    });
  });
  return { status: 200, body: answer };
};
