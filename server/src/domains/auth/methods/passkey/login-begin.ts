import type { PasskeyLoginBeginBody, PasskeyLoginBeginResponse } from '@enforcer/contract';
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import { Person } from '../../../../entities/accounts.js';
import { PasskeyCredential } from '../../../../entities/passkeys.js';
import { deriveKey, hmacSha256 } from '../../../../lib/crypto.js';
import { type AuthRequestContext, tenantByCode } from '../../context.js';
import { assertAcceptsMethod, settingsFor } from '../settings.js';
import { PASSKEY_CHALLENGE_TTL_SECONDS, relyingParty } from './webauthn.js';

/**
 * Passkey sign-in begins: request options for the tenant's relying party, with a challenge (32
 * random bytes, stored hashed, this tenant's, single use, five minutes). Without `email`, no
 * `allowCredentials`: the authenticator offers its discoverable credentials. With `email`, the person's
 * passkeys for this relying party; an email with none (or nobody's) gets one stand-in credential id
 * derived from the email under a server key, so the answer has the same shape and is stable.
 */
export async function beginPasskeyLogin(
  { services, em }: AuthRequestContext,
  body: PasskeyLoginBeginBody,
): Promise<PasskeyLoginBeginResponse> {
  const tenant = await tenantByCode(em, body.tenant_code);
  assertAcceptsMethod(tenant, 'passkey');
  const rp = relyingParty(tenant, settingsFor(tenant, 'passkey'));
  let allowCredentials: { id: string; transports?: never[] }[] | undefined;
  if (body.email) {
    const person = await em.findOne(Person, { email: body.email });
    const credentials = person ? await em.find(PasskeyCredential, { person: person.id, rpId: rp.rpID }) : [];
    allowCredentials =
      credentials.length > 0
        ? credentials.map((credential) => ({
            id: credential.credentialId,
            transports: credential.transports as never[],
          }))
        : [
            {
              id: decoyCredentialId(services.config.masterKey, tenant.id, body.email),
              transports: ['internal', 'hybrid'] as never[],
            },
          ];
  }
  const issued = await em.transactional((tx) =>
    services.challenges.issue(tx, {
      purpose: 'passkey_login',
      ttlSeconds: PASSKEY_CHALLENGE_TTL_SECONDS,
      encoding: 'base64url',
      tenantId: tenant.id,
    }),
  );
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    challenge: new Uint8Array(Buffer.from(issued.value, 'base64url')),
    timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
    userVerification: 'required',
    ...(allowCredentials ? { allowCredentials } : {}),
  });
  return { challenge_id: issued.id, options: { ...options }, expires_at: issued.expiresAt.toISOString() };
}

const decoyCredentialId = (masterKey: Buffer, tenantId: string, email: string) =>
  hmacSha256(deriveKey(masterKey, 'passkey-decoy'), `passkey-decoy/v1\n${tenantId}\n${email}`).toString(
    'base64url',
  );
