import type { Authentication, SignInMethod } from '../methods/method.js';
import { refuseProof } from '../methods/result.js';
import { isChallenge, type PasskeyDeps, passkeyKit, passkeySettings } from './rules.js';
import { fromBase64url, relyingParty } from './webauthn.js';

const refused = (reason: string, detail = 'The passkey could not be verified'): Authentication =>
  refuseProof('invalid_credentials', reason, detail);

/**
 * `passkey`: a WebAuthn assertion (`POST /auth/passkey/login/finish`, or `POST /auth/login` with
 * `provider: passkey`) for a challenge from `POST /auth/passkey/login/begin`:
 * - the challenge is this tenant's, live, and spent now (single use, whatever the outcome);
 * - the credential is registered, for this tenant's relying party id; a user handle, when sent, is its
 *   owner's;
 * - the signature, origin (one of the tenant's), relying party id, user presence and verification verify;
 * - the signature counter moves forward: a counter that does not (a cloned authenticator) is refused and
 *   audited (`auth.passkey.counter_regression`); with the tenant's `counter_regression: disable` the
 *   credential is also removed (`auth.passkey.disabled`). Authenticators that do not count (always 0) pass.
 * The person is the credential's owner.
 */
export function passkeySignIn(deps: PasskeyDeps): SignInMethod<'passkey'> {
  const kit = passkeyKit(deps);
  return {
    id: 'passkey',
    amr: ['hwk'],
    async authenticate({ repos, tenant, client }, body) {
      const configured = passkeySettings(tenant);
      if (!configured.ok) {
        return refuseProof(configured.error.code, 'not_configured', configured.error.message);
      }
      const rp = relyingParty(tenant, configured.settings);
      const challenge = await kit.challenges.consumeById(repos.challenges, body.challenge_id, {
        purpose: 'passkey_login',
        tenantId: tenant.id,
      });
      if (!challenge) {
        return refuseProof(
          'challenge_invalid',
          'challenge_invalid',
          'The challenge is unknown, already used or expired: begin again',
        );
      }
      const credential = await repos.passkeys.findByCredentialId(body.credential.id);
      if (!credential) return refused('unknown_credential');
      if (credential.rpId !== rp.id) return refused('wrong_rp_id');
      const handle = body.credential.response.userHandle;
      if (handle && new TextDecoder().decode(fromBase64url(handle)) !== credential.personId) {
        return refused('user_handle_mismatch');
      }
      const verified = await kit.webauthn.verifyAuthentication({
        response: body.credential,
        rp,
        expectedChallenge: isChallenge(kit.hashing, challenge.valueHash),
        credential: {
          id: credential.credentialId,
          publicKey: credential.publicKey,
          transports: credential.transports,
        },
      });
      if (!verified.ok) return refused(verified.reason);

      const stored = credential.counter;
      const presented = verified.newCounter;
      if ((presented > 0 || stored > 0) && presented <= stored) {
        repos.audit.record({
          action: 'auth.passkey.counter_regression',
          actor: { type: 'person', id: credential.personId },
          tenantId: tenant.id,
          target: { type: 'passkey_credential', id: credential.id },
          ...client,
          details: { stored_counter: stored, presented_counter: presented, rp_id: rp.id },
        });
        if (configured.settings.counter_regression === 'disable') {
          // The tenant chose to take a possibly cloned credential out of use: neither copy signs in again.
          await repos.passkeys.delete(credential.id);
          repos.audit.record({
            action: 'auth.passkey.disabled',
            actor: { type: 'system' },
            tenantId: tenant.id,
            target: { type: 'passkey_credential', id: credential.id },
            ...client,
            details: {
              reason: 'counter_regression',
              person_id: credential.personId,
              credential_id: credential.credentialId,
              rp_id: rp.id,
            },
          });
        }
        return refused(
          'counter_regression',
          'The passkey could not be verified (its signature counter went backwards)',
        );
      }
      await repos.passkeys.recordUse(credential.id, {
        counter: presented,
        backedUp: verified.backedUp,
        lastUsedAt: kit.clock.now(),
      });
      return { ok: true, identity: { personId: credential.personId } };
    },
  };
}
