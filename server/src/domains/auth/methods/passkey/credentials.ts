import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { assertNotLastMethod, lockPerson } from '../../../identities/methods.js';
import { authContext, requireUser } from '../../context.js';
import { PasskeyCredential } from './entities.js';
import { toPasskeyCredential } from './webauthn.js';

/** `GET /auth/passkey/credentials`: the signed-in person's passkeys (every relying party), oldest first. */
export const passkeyCredentials: AppRouteImplementation<typeof contract.auth.passkeyCredentials> = async ({
  request,
}) => {
  const user = requireUser(request);
  const { em } = authContext(request);
  const rows = await em.find(
    PasskeyCredential,
    { person: user.personId },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  return { status: 200, body: { data: rows.map(toPasskeyCredential) } };
};

/**
 * `DELETE /auth/passkey/credentials/{id}`: one of the person's passkeys (another person's id is a 404).
 * Never the last way to sign in (`409 last_identity`).
 */
export const deletePasskey: AppRouteImplementation<typeof contract.auth.deletePasskey> = async ({
  params,
  request,
}) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  await em.transactional(async (tx) => {
    const person = await lockPerson(tx, user.personId);
    const credential = await tx.findOne(PasskeyCredential, { id: params.id, person: person.id });
    if (!credential) throw new AppError('not_found', 'You have no passkey with this id');
    await assertNotLastMethod(tx, person);
    tx.remove(credential);
    recordAudit(tx, services.clock, {
      action: 'auth.passkey.deleted',
      actor: { type: 'account', id: user.accountId },
      tenantId: user.tenantId,
      target: { type: 'passkey_credential', id: credential.id },
      ...client,
      details: { provider: 'passkey', person_id: person.id, rp_id: credential.rpId },
    });
  });
  return { status: 204, body: undefined };
};
