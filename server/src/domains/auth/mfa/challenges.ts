import type { MfaVerifyBody, SecondFactor, StepUpResponse, TokenResponse } from '@enforcer/contract';
import { personIdentifier } from '@enforcer/core';
import { LockMode } from '@mikro-orm/postgresql';
import { Account, Person } from '../../../entities/accounts.js';
import { Session } from '../../../entities/sessions.js';
import { Tenant } from '../../../entities/tenants.js';
import type { UserPrincipal } from '../../../http/principal.js';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import { loadGrant } from '../../tokens/load-grant.js';
import { type AuthRequestContext, committed, refuse, success } from '../context.js';
import { openSession } from '../sign-in.js';
import { amrOfSecondFactor, MFA_CHALLENGE_MAX_ATTEMPTS } from './mfa-service.js';
import { provideSecondFactor } from './provide-second-factor.js';

const tokenInvalid = () =>
  new AppError('mfa_token_invalid', 'This sign-in has expired or was already finished: sign in again');

/**
 * The second factor of a sign-in: finishes a sign-in that answered `401 mfa_required`. The challenge (found by
 * the SHA-256 of its token, locked) must be live; the code is a TOTP code (not one already used in its
 * time step) or a recovery code (spent). A wrong code counts on the challenge (5 burn it) and on the
 * sign-in throttle. A right one spends the challenge and opens the session with the first factor's
 * `amr` plus `totp`/`recovery_code` and `mfa`, and `mfa_at` = now.
 */
export async function verifySecondFactor(
  { services, em, client }: AuthRequestContext,
  body: MfaVerifyBody,
): Promise<TokenResponse> {
  const { clock } = services;
  const mfa = services.mfa;
  const throttle = services.throttle;
  const response = await committed(em, async (tx) => {
    const challenge = await mfa.liveChallenge(tx, body.mfa_token);
    if (!challenge) return refuse(tokenInvalid());
    const person = await tx.findOneOrFail(Person, challenge.person.id);
    const tenant = await tx.findOneOrFail(Tenant, challenge.tenant.id);
    const subject = { tenantId: tenant.id, identifier: personIdentifier(person), client };
    const failed = (reason: string, error: AppError) => {
      recordAudit(tx, clock, {
        action: 'auth.login.failed',
        actor: { type: 'account', id: challenge.account.id },
        tenantId: tenant.id,
        target: { type: 'mfa_challenge', id: challenge.id },
        ...client,
        details: { provider: challenge.provider, stage: 'mfa', reason },
      });
      return refuse(error);
    };
    const gate = await throttle.gate(subject, services.uow.within(tx));
    if (gate) return failed(gate.code, gate);

    const factor = 'code' in body ? { code: body.code } : { recovery_code: body.recovery_code };
    const check = await mfa.checkFactor(tx, person.id, factor);
    if (!check.ok) {
      challenge.attempts += 1;
      await tx.flush();
      const limited = await throttle.recordFailure(subject, check.reason, services.uow.within(tx));
      const burnt = challenge.attempts >= MFA_CHALLENGE_MAX_ATTEMPTS;
      return failed(check.reason, limited ?? (burnt ? tokenInvalid() : check.error));
    }

    const now = clock.now();
    challenge.consumedAt = now;
    const account = await tx.findOneOrFail(Account, challenge.account.id);
    if (!account.active) {
      return failed(
        'account_inactive',
        new AppError('account_inactive', 'This account has been deactivated'),
      );
    }
    await throttle.recordSuccess(subject, services.uow.within(tx));
    const amr = [...new Set([...challenge.amr, ...amrOfSecondFactor(check.method)])];
    const tokens = await openSession(tx, services, { account, person, tenant, amr, client, mfaAt: now });
    recordAudit(tx, clock, {
      action: 'auth.login.succeeded',
      actor: { type: 'account', id: account.id },
      tenantId: tenant.id,
      target: { type: 'session', id: tokens.sessionId },
      ...client,
      details: { provider: challenge.provider, amr, second_factor: check.method },
    });
    if (check.method === 'recovery_code') {
      recordAudit(tx, clock, {
        action: 'auth.mfa.recovery_code.used',
        actor: { type: 'account', id: account.id },
        tenantId: tenant.id,
        target: { type: 'person', id: person.id },
        ...client,
        details: { purpose: 'sign_in', remaining: await mfa.recovery.remaining(tx, person.id) },
      });
    }
    return success(tokens.response);
  });
  return response;
}

/**
 * Step-up: the signed-in person proves the second factor again. The session's `amr`
 * gains the factor and its `mfa_at` becomes now; the answer is a new access token for the same session
 * carrying both (the refresh token is unchanged, and later refreshes carry the new `mfa_at` too). The
 * server gives the policy `subject.attributes.mfa_at` and `mfa_age_seconds` from the token, so a rule
 * can demand a recent second factor for an action.
 */
export async function stepUpSession(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  body: SecondFactor,
): Promise<StepUpResponse> {
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
  return answer;
}
