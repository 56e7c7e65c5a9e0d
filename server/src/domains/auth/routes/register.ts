import type { contract } from '@enforcer/contract';
import { defaultMemberRole } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import { createAccount, findAccount, findOrCreatePerson, lockIdentity } from '../accounts.js';
import { authContext, tenantByCode } from '../context.js';

/**
 * `POST /auth/register`: names a person (unverified until their first login) and, with a tenant code,
 * creates their account there when the tenant allows sign-up. Answers the same 202 whether or not the
 * person or the account already existed, so it cannot be used to learn who is registered.
 */
export const register: AppRouteImplementation<typeof contract.auth.register> = async ({ body, request }) => {
  const { services, em, client } = authContext(request);
  const tenant = body.tenant_code ? await tenantByCode(em, body.tenant_code) : null;
  if (tenant) {
    services.signInMethods.assertAccepted(tenant, body.provider);
    if (!tenant.allowSignup) throw new AppError('signup_disabled', 'This tenant is invite-only');
  }
  await em.transactional(async (tx) => {
    const identity = await services.signInMethods.register(
      { em: tx, services, otp: services.otp, client },
      body,
    );
    await lockIdentity(tx, identity.email);
    const { person } = await findOrCreatePerson(tx, services.clock, identity);
    if (!tenant || (await findAccount(tx, person.id, tenant.id))) return;
    const account = createAccount(tx, services.clock, { person, tenant, role: defaultMemberRole });
    await tx.flush();
    recordAudit(tx, services.clock, {
      action: 'auth.account.created',
      actor: { type: 'anonymous' },
      tenantId: tenant.id,
      target: { type: 'account', id: account.id },
      ...client,
      details: { via: 'register', provider: body.provider, role: account.role },
    });
  });
  return {
    status: 202,
    body: { accepted: true, next: body.provider === 'password' ? 'login' : 'otp_request' },
  };
};
