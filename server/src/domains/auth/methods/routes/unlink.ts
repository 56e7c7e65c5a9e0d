import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { PersonIdentity } from '../../../identities/entities.js';
import { assertNotLastMethod, lockPerson } from '../../../identities/methods.js';
import { authContext, requireUser } from '../../context.js';
import { PasskeyCredential } from '../passkey/entities.js';

/**
 * `DELETE /auth/identities/{id}`: removes one of the signed-in person's linked identities (or passkeys:
 * the list shows both). Another person's id is a 404 like an unknown one. Removing the person's last way
 * to sign in is refused (`409 last_identity`); the person row is locked so concurrent removals cannot
 * both pass that check.
 */
export const unlinkIdentity: AppRouteImplementation<typeof contract.auth.unlinkIdentity> = async ({
  params,
  request,
}) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  await em.transactional(async (tx) => {
    const person = await lockPerson(tx, user.personId);
    const identity = await tx.findOne(PersonIdentity, { id: params.id, person: person.id });
    const passkey = identity
      ? null
      : await tx.findOne(PasskeyCredential, { id: params.id, person: person.id });
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
  return { status: 204, body: undefined };
};
