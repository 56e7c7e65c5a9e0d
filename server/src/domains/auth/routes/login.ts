import type { contract } from '@enforcer/contract';
import { defaultMemberRole } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import { createAccount, findAccount, findOrCreatePerson, lockIdentity } from '../accounts.js';
import { authContext, committed, refuse, success, tenantByCode } from '../context.js';
import { openSession } from '../sign-in.js';

/**
 * `POST /auth/login`: `provider` picks the strategy, which proves who the caller is; then, the same for
 * every method: the person (created, or marked verified), the account in the tenant (created when the
 * tenant allows sign-up, as `member`), the session and its tokens.
 *
 * Failures after the tenant is known are audited (`auth.login.failed`) and committed with whatever the
 * strategy counted (a wrong code's attempt). A right code followed by a refusal (sign-up disabled,
 * account deactivated) is spent: codes are single use. Membership is only revealed after the proof.
 */
export const login: AppRouteImplementation<typeof contract.auth.login> = async ({ body, request }) => {
  const { services, kit, em, client } = authContext(request);
  const { clock } = services;
  const tenant = await tenantByCode(em, body.tenant_code);

  const failed = (tx: typeof em, reason: string, error: AppError, accountId?: string) => {
    recordAudit(tx, clock, {
      action: 'auth.login.failed',
      actor: accountId ? { type: 'account', id: accountId } : { type: 'anonymous' },
      tenantId: tenant.id,
      target: { type: 'tenant', id: tenant.id },
      ...client,
      details: { provider: body.provider, reason, email: body.email },
    });
    return refuse(error);
  };

  if (!tenant.authProviders.includes(body.provider)) {
    const error = new AppError(
      'provider_not_allowed',
      `This tenant does not accept ${body.provider} sign-in`,
    );
    return committed(em, async (tx) => failed(tx, 'provider_not_allowed', error));
  }

  const response = await committed(em, async (tx) => {
    const auth = await kit.strategies.authenticate({ em: tx, services, otp: kit.otp, client, tenant }, body);
    if (!auth.ok) return failed(tx, auth.reason, auth.error);

    await lockIdentity(tx, auth.identity.email);
    const { person } = await findOrCreatePerson(tx, clock, auth.identity);
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
    const amr = kit.strategies.amrOf(body.provider);
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
  return { status: 200, body: response };
};
