import type { EntityManager } from '@mikro-orm/postgresql';
import { type IPasskeyCredential, PasskeyCredential } from '../../../../entities/passkeys.js';
import type { UserPrincipal } from '../../../../http/principal.js';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import type { AuthRequestContext } from '../../context.js';
import { assertNotLastMethod, lockPerson } from '../../identities/methods.js';

/** The person's passkeys (every relying party), oldest first. */
export function listPasskeys(em: EntityManager, personId: string): Promise<IPasskeyCredential[]> {
  return em.find(PasskeyCredential, { person: personId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/**
 * Deletes one of the signed-in person's passkeys (another person's id is a 404). Never the last way to
 * sign in (`409 last_identity`).
 */
export async function deletePasskey(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  id: string,
): Promise<void> {
  await em.transactional(async (tx) => {
    const person = await lockPerson(tx, user.personId);
    const credential = await tx.findOne(PasskeyCredential, { id, person: person.id });
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
}
