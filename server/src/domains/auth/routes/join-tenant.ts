import type { contract } from '@enforcer/contract';
import { defaultMemberRole } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import { Person } from '../../identity/entities.js';
import { createAccount, findAccount, lockIdentity } from '../accounts.js';
import { authContext, requireUser, tenantByCode } from '../context.js';
import { openSession } from '../sign-in.js';

/**
 * `POST /auth/tenant/join`: the signed-in person joins a tenant that allows sign-up, by its code, as a
 * `member`, and gets a session there (carrying the current session's `amr`). The current session stays.
 */
export const joinTenant: AppRouteImplementation<typeof contract.auth.joinTenant> = async ({
  body,
  request,
}) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const tenant = await tenantByCode(em, body.tenant_code);
  const response = await em.transactional(async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    await lockIdentity(tx, person.email ?? person.id);
    if (await findAccount(tx, person.id, tenant.id)) {
      throw new AppError('already_member', 'You already have an account in this tenant: switch to it');
    }
    if (!tenant.allowSignup) throw new AppError('signup_disabled', 'This tenant is invite-only');
    services.signInMethods.assertAcceptsSession(tenant, user.claims.amr);
    const account = createAccount(tx, services.clock, { person, tenant, role: defaultMemberRole });
    const session = await openSession(tx, services, {
      account,
      person,
      tenant,
      amr: user.claims.amr,
      client,
    });
    recordAudit(tx, services.clock, {
      action: 'auth.tenant.joined',
      actor: { type: 'person', id: person.id },
      tenantId: tenant.id,
      target: { type: 'account', id: account.id },
      ...client,
      details: { from_tenant_id: user.tenantId, role: account.role, session_id: session.sessionId },
    });
    return session.response;
  });
  return { status: 200, body: response };
};
