import { defaultMemberRole, type RegisterBody } from '@enforcer/contract';
import { AppError } from '../../lib/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { createAccount, findAccount, findOrCreatePerson, lockIdentity } from './accounts.js';
import { type AuthRequestContext, tenantByCode } from './context.js';

/**
 * Registration (`POST /auth/register`): names a person (unverified until their first login) and, with a
 * tenant code, creates their account there when the tenant allows sign-up. Answers the same whether or
 * not the person or the account already existed, so it cannot be used to learn who is registered.
 */
export async function registerPerson(
  { services, em, client }: AuthRequestContext,
  body: RegisterBody,
): Promise<void> {
  const tenant = body.tenant_code ? await tenantByCode(em, body.tenant_code) : null;
  if (tenant) {
    services.signInMethods.assertAccepted(tenant, body.provider);
    if (!tenant.allowSignup) throw new AppError('signup_disabled', 'This tenant is invite-only');
  }
  await em.transactional(async (tx) => {
    const identity = await services.signInMethods.register({ em: tx, services, client }, body);
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
}
