import type { contract } from '@enforcer/contract';
import { personIdentifier, phoneIdentifier } from '@enforcer/core';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { subjectOfPrincipal } from '../../../http/principal.js';
import { auditActor, clientInfo, requirePrincipal } from '../../../http/request-context.js';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import { PersonIdentity } from '../../identities/entities.js';
import { Account, Person } from '../../identity/entities.js';
import { accountResource } from '../../policy/resources.js';
import { requireAllowed } from '../../policy/visible.js';

/**
 * `POST /accounts/{id}/unlock` (`accounts.unlock`, which admins hold): lifts the sign-in lockout and any
 * delay of the account's throttle key (its tenant and email, and its person id for people without an
 * email). The account must be in the caller's tenant and visible to it (`404` otherwise). Idempotent;
 * audited as `account.unlocked` with what was in force.
 */
export const unlockAccount: AppRouteImplementation<typeof contract.accounts.unlock> = async ({
  params,
  request,
}) => {
  const principal = requirePrincipal(request);
  const services = request.server.services;
  const throttle = services.throttle;
  const result = await services.orm.em.fork().transactional(async (em) => {
    const account = await em.findOne(Account, { id: params.id, tenant: principal.tenantId });
    if (!account) throw new AppError('not_found', 'No such account');
    const policy = await services.policies.forPrincipal(em, principal);
    requireAllowed(policy, subjectOfPrincipal(principal), {
      action: 'accounts.unlock',
      readAction: 'accounts.read',
      resource: accountResource(account),
      what: 'account',
    });
    const person = await em.findOneOrFail(Person, account.person.id);
    // Every identifier the person's attempts may be counted under: email, phone numbers, id.
    const phones = await em.find(PersonIdentity, { person: person.id, provider: 'phone_otp' });
    const identifiers = [
      ...new Set([
        personIdentifier(person),
        `person:${person.id}`,
        ...phones.map((p) => phoneIdentifier(p.subject)),
      ]),
    ];
    let wasLocked = false;
    let wasThrottled = false;
    for (const identifier of identifiers) {
      const lifted = await throttle.unlock(principal.tenantId, identifier, services.uow.within(em));
      wasLocked ||= lifted.wasLocked;
      wasThrottled ||= lifted.wasThrottled;
    }
    recordAudit(em, services.clock, {
      action: 'account.unlocked',
      actor: auditActor(principal),
      tenantId: principal.tenantId,
      target: { type: 'account', id: account.id },
      ...clientInfo(request),
      details: { was_locked: wasLocked, was_throttled: wasThrottled },
    });
    return { was_locked: wasLocked, was_throttled: wasThrottled };
  });
  return { status: 200, body: result };
};
