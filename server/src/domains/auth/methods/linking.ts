import type { Identity, LinkedProvider } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Person } from '../../../entities/accounts.js';
import { PersonIdentity } from '../../../entities/identities.js';
import { PasskeyCredential } from '../../../entities/passkeys.js';
import { type ITenant, Tenant } from '../../../entities/tenants.js';
import type { UserPrincipal } from '../../../http/principal.js';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import { type AuthRequestContext, committed, refuse, success } from '../context.js';
import {
  assertNotLastMethod,
  linkIdentity,
  listMethods,
  lockPerson,
  toIdentity,
} from '../identities/methods.js';
import type { Authentication } from './method.js';
import { assertAcceptsMethod } from './settings.js';

/** Every sign-in method of the signed-in person (`GET /auth/identities`). */
export async function listSignInMethods(em: EntityManager, personId: string): Promise<Identity[]> {
  return listMethods(em, await em.findOneOrFail(Person, personId));
}

/**
 * The shape of every `POST /auth/identities/<method>`: the signed-in person proves another method,
 * checked with the settings of the tenant they are signed in to (which must accept that method), and it
 * is bound to them. A proof that fails, or an identity bound to someone else (`409
 * identity_already_linked`), is audited (`auth.identity.link_refused`) and committed with whatever the
 * proof spent (a nonce, a counted wrong code), then refused.
 */
export async function linkWith(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  provider: LinkedProvider,
  prove: (tx: EntityManager, tenant: ITenant) => Promise<Authentication>,
): Promise<{ created: boolean; identity: Identity }> {
  const { clock } = services;
  const tenant = await em.findOneOrFail(Tenant, user.tenantId);
  assertAcceptsMethod(tenant, provider);
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
  return { created: linked.created, identity: toIdentity(linked.identity) };
}

/**
 * Removes one of the signed-in person's linked identities or passkeys (the list shows both); another
 * person's id is unknown here. Never their last way to sign in (`409 last_identity`): the person row is
 * locked so concurrent removals cannot both pass that check.
 */
export async function unlinkSignInMethod(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  id: string,
): Promise<void> {
  await em.transactional(async (tx) => {
    const person = await lockPerson(tx, user.personId);
    const identity = await tx.findOne(PersonIdentity, { id, person: person.id });
    const passkey = identity ? null : await tx.findOne(PasskeyCredential, { id, person: person.id });
    const row = identity ?? passkey;
    if (!row) throw new AppError('not_found', 'You have no sign-in method with this id');
    await assertNotLastMethod(tx, person);
    tx.remove(row);
    recordAudit(tx, services.clock, {
      action: identity ? 'auth.identity.unlinked' : 'auth.passkey.deleted',
      actor: { type: 'account', id: user.accountId },
      tenantId: user.tenantId,
      target: { type: identity ? 'person_identity' : 'passkey_credential', id: row.id },
      ...client,
      details: { provider: identity ? identity.provider : 'passkey', person_id: person.id },
    });
  });
}
