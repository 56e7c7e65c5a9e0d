import type { Identity, LinkedProvider } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { linkIdentity, lockPerson, toIdentity } from '../../../identities/methods.js';
import { type ITenant, Tenant } from '../../../tenants/entities.js';
import { authContext, committed, refuse, requireUser, success } from '../../context.js';
import type { Authentication } from '../method.js';

/**
 * The shape of every `POST /auth/identities/<method>`: the signed-in person proves another method,
 * checked with the settings of the tenant they are signed in to (which must accept that method), and it
 * is bound to them. A proof that fails, or an identity bound to someone else (`409
 * identity_already_linked`), is audited (`auth.identity.link_refused`) and committed with whatever the
 * proof spent (a nonce, a counted wrong code), then refused.
 */
export async function linkWith(
  request: FastifyRequest,
  provider: LinkedProvider,
  prove: (tx: EntityManager, tenant: ITenant) => Promise<Authentication>,
): Promise<{ status: 200 | 201; body: Identity }> {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const { clock } = services;
  const tenant = await em.findOneOrFail(Tenant, user.tenantId);
  if (!tenant.authProviders.includes(provider)) {
    throw new AppError('provider_not_allowed', `This tenant does not accept ${provider} sign-in`);
  }
  const refused = (tx: EntityManager, reason: string, error: AppError) => {
    recordAudit(tx, clock, {
      action: 'auth.identity.link_refused',
      actor: { type: 'account', id: user.accountId },
      tenantId: tenant.id,
      target: { type: 'person', id: user.personId },
      ...client,
      details: { provider, reason },
    });
    return refuse(error);
  };
  const linked = await committed(em, async (tx) => {
    const proof = await prove(tx, tenant);
    if (!proof.ok) return refused(tx, proof.reason, proof.error);
    if (!('provider' in proof.identity) || proof.identity.provider !== provider) {
      throw new Error(`the ${provider} proof did not prove a ${provider} identity`);
    }
    const person = await lockPerson(tx, user.personId);
    const outcome = await linkIdentity(tx, clock, person, proof.identity);
    if (!outcome.ok) return refused(tx, outcome.reason, outcome.error);
    if (outcome.created) {
      recordAudit(tx, clock, {
        action: 'auth.identity.linked',
        actor: { type: 'account', id: user.accountId },
        tenantId: tenant.id,
        target: { type: 'person_identity', id: outcome.identity.id },
        ...client,
        details: { provider, person_id: person.id },
      });
    }
    return success(outcome);
  });
  return { status: linked.created ? 201 : 200, body: toIdentity(linked.identity) };
}
