import { defaultMemberRole, type LoginBody, type TokenResponse } from '@enforcer/contract';
import { countsAsGuess, loginIdentifier, personIdentifier } from '@enforcer/core';
import { AppError } from '../../lib/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { createAccount, findAccount } from './accounts.js';
import { type AuthRequestContext, committed, refuse, success, tenantByCode } from './context.js';
import { resolvePerson } from './identities/resolve-person.js';
import { requireSecondFactor } from './mfa/require-second-factor.js';
import { openSession } from './sign-in.js';

/**
 * The login flow (`POST /auth/login`): `provider` picks the sign-in method, which proves who the caller
 * is; then, the same for every method: the person (created, or marked verified), the account in the tenant (created when the
 * tenant allows sign-up, as `member`), the session and its tokens.
 *
 * Failures after the tenant is known are audited (`auth.login.failed`) and committed with whatever the
 * method counted (a wrong code's attempt). A right code followed by a refusal (sign-up disabled,
 * account deactivated) is spent: codes are single use. Membership is only revealed after the proof.
 */
export async function signIn(
  { services, em, client }: AuthRequestContext,
  body: LoginBody,
): Promise<TokenResponse> {
  const { clock } = services;
  const tenant = await tenantByCode(em, body.tenant_code);

  const failed = (tx: typeof em, reason: string, error: AppError, accountId?: string) => {
    recordAudit(tx, clock, {
      action: 'auth.login.failed',
      actor: accountId ? { type: 'account', id: accountId } : { type: 'anonymous' },
      tenantId: tenant.id,
      target: { type: 'tenant', id: tenant.id },
      ...client,
      details: { provider: body.provider, reason, email: 'email' in body ? body.email : undefined },
    });
    return refuse(error);
  };

  if (!tenant.authProviders.includes(body.provider)) {
    const error = new AppError(
      'provider_not_allowed',
      `This tenant does not accept ${body.provider} sign-in`,
    );
    return committed<TokenResponse>(em, async (tx) => failed(tx, 'provider_not_allowed', error));
  }

  const throttle = services.throttle;
  return committed<TokenResponse>(em, async (tx) => {
    const attempt = { tenantId: tenant.id, identifier: loginIdentifier(body), client };
    const gate = await throttle.gate(attempt, services.uow.within(tx));
    if (gate) return failed(tx, gate.code, gate);
    const auth = await services.signInMethods.authenticate({ em: tx, services, client, tenant }, body);
    if (!auth.ok) {
      const limited = countsAsGuess(auth.reason)
        ? await throttle.recordFailure(attempt, auth.reason, services.uow.within(tx))
        : undefined;
      return failed(tx, auth.reason, limited ?? auth.error);
    }

    const resolved = await resolvePerson(tx, clock, auth.identity);
    if (!resolved.ok) return failed(tx, resolved.reason, resolved.error);
    const { person } = resolved;
    const lockout = await throttle.lockedOut(tenant.id, personIdentifier(person), services.uow.within(tx));
    if (lockout) return failed(tx, 'account_locked', lockout);
    let account = await findAccount(tx, person.id, tenant.id);
    if (!account) {
      if (!tenant.allowSignup) {
        return failed(tx, 'signup_disabled', new AppError('signup_disabled', 'This tenant is invite-only'));
      }
      account = createAccount(tx, clock, { person, tenant, role: defaultMemberRole });
      await tx.flush();
      recordAudit(tx, clock, {
        action: 'auth.account.created',
        actor: { type: 'person', id: person.id },
        tenantId: tenant.id,
        target: { type: 'account', id: account.id },
        ...client,
        details: { via: 'login', provider: body.provider, role: account.role },
      });
    }
    if (!account.active) {
      const error = new AppError('account_inactive', 'This account has been deactivated');
      return failed(tx, 'account_inactive', error, account.id);
    }
    const amr = services.signInMethods.amrOf(body.provider);
    const mfa = await requireSecondFactor(tx, services, {
      account,
      person,
      tenant,
      provider: body.provider,
      amr,
      client,
    });
    if (mfa) return refuse(mfa);
    await throttle.recordSuccess(
      { tenantId: tenant.id, identifier: personIdentifier(person) },
      services.uow.within(tx),
    );
    const tokens = await openSession(tx, services, { account, person, tenant, amr, client });
    recordAudit(tx, clock, {
      action: 'auth.login.succeeded',
      actor: { type: 'account', id: account.id },
      tenantId: tenant.id,
      target: { type: 'session', id: tokens.sessionId },
      ...client,
      details: { provider: body.provider, amr },
    });
    return success(tokens.response);
  });
}
