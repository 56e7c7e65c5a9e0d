import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import { Person } from '../../identity/entities.js';
import { Tenant } from '../../tenants/entities.js';
import { findAccount } from '../accounts.js';
import { authContext, requireUser } from '../context.js';
import { openSession } from '../sign-in.js';

/**
 * `POST /auth/tenant/switch`: a new session and token pair scoped to another tenant where the person has
 * an active account. The calling session is not ended (the other tab keeps working).
 */
export const switchTenant: AppRouteImplementation<typeof contract.auth.switchTenant> = async ({
  body,
  request,
}) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const response = await em.transactional(async (tx) => {
    const account = await findAccount(tx, user.personId, body.tenant_id);
    if (!account) throw new AppError('not_a_member', 'You have no account in that tenant');
    if (!account.active) throw new AppError('account_inactive', 'Your account in that tenant is deactivated');
    const person = await tx.findOneOrFail(Person, user.personId);
    const tenant = await tx.findOneOrFail(Tenant, body.tenant_id);
    services.signInMethods.assertAcceptsSession(tenant, user.claims.amr);
    const session = await openSession(tx, services, {
      account,
      person,
      tenant,
      amr: user.claims.amr,
      client,
    });
    recordAudit(tx, services.clock, {
      action: 'auth.tenant.switched',
      actor: { type: 'account', id: account.id },
      tenantId: tenant.id,
      target: { type: 'session', id: session.sessionId },
      ...client,
      details: { from_tenant_id: user.tenantId, from_session_id: user.sessionId },
    });
    return session.response;
  });
  return { status: 200, body: response };
};
