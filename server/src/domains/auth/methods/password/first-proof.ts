import type { EntityManager } from '@mikro-orm/postgresql';
import type { IPerson } from '../../../../entities/accounts.js';
import { RecoveryCode, TotpCredential } from '../../../../entities/mfa.js';
import { PasswordCredential } from '../../../../entities/passwords.js';
import { Session } from '../../../../entities/sessions.js';
import type { Clock } from '../../../../lib/clock.js';
import { recordAudit } from '../../../audit/record-audit.js';

/**
 * Pre-hijacking defence. Registering with a password proves nothing about the email, so anyone can
 * register someone else's address before they do. When the email is proven for the first time (an email
 * code, a magic link, a reset code: whoever proves it owns it), whatever was set up before that proof
 * by whoever knew the password is dropped: the password, the TOTP authenticator and recovery codes, and
 * every session. Persons without a password are left alone. Call it in the transaction that marks the
 * person verified, before the new session is opened.
 */
export async function forgetUnprovenCredentials(
  em: EntityManager,
  clock: Clock,
  person: IPerson,
): Promise<void> {
  const passwords = await em.nativeDelete(PasswordCredential, { person: person.id });
  if (passwords === 0) return;
  const totp = await em.nativeDelete(TotpCredential, { person: person.id });
  await em.nativeDelete(RecoveryCode, { person: person.id });
  const ended = await em.nativeUpdate(
    Session,
    { person: person.id, revokedAt: null },
    { revokedAt: clock.now(), revokeReason: 'email_proven' },
  );
  recordAudit(em, clock, {
    action: 'auth.person.unproven_credentials_removed',
    actor: { type: 'person', id: person.id },
    target: { type: 'person', id: person.id },
    details: { password: true, totp: totp > 0, sessions_revoked: ended },
  });
}
