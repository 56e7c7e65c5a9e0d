import { base64url } from '../platform.js';
import {
  fromBase64url,
  PASSKEY_CHALLENGE_TTL_SECONDS,
  SUPPORTED_ALGORITHMS,
  type WebAuthnVerifier,
} from './webauthn.js';

/**
 * Why a WebAuthn verification failed, for the audit log, from @simplewebauthn's error message (the
 * caller always gets the same `401 invalid_credentials`).
 */
export function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/origin/i.test(message)) return 'wrong_origin';
  if (/RP ID/i.test(message)) return 'wrong_rp_id';
  if (/challenge/i.test(message)) return 'challenge_mismatch';
  if (/user verif/i.test(message)) return 'user_not_verified';
  if (/type/i.test(message)) return 'wrong_type';
  if (/signature/i.test(message)) return 'bad_signature';
  return 'invalid_response';
}

// Loaded on first use: a browser bundle without passkeys never fetches it (an optional peer of the mock).
const load = () => import('@simplewebauthn/server');

/**
 * The `WebAuthnVerifier` over @simplewebauthn/server (WebCrypto-based: the server and the MSW mock, in
 * Node or a browser, verify with the same code). Discoverable credentials and user verification are
 * required (a passkey signs in on its own); attestation `none`. `preload` (the server) imports the
 * library now rather than on the first ceremony, which would otherwise wait for it.
 */
export const simpleWebAuthnVerifier = (options: { preload?: boolean } = {}): WebAuthnVerifier => {
  if (options.preload) load().catch(() => undefined);
  return simpleWebAuthn;
};

const simpleWebAuthn: WebAuthnVerifier = {
  async registrationOptions({ rp, user, challenge, exclude }) {
    const { generateRegistrationOptions } = await load();
    return {
      ...(await generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userID: new TextEncoder().encode(user.id),
        userName: user.name,
        userDisplayName: user.name,
        challenge: fromBase64url(challenge),
        timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
        attestationType: 'none',
        excludeCredentials: exclude.map((c) => ({ id: c.id, transports: c.transports as never })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      })),
    };
  },

  async authenticationOptions({ rp, challenge, allow }) {
    const { generateAuthenticationOptions } = await load();
    return {
      ...(await generateAuthenticationOptions({
        rpID: rp.id,
        challenge: fromBase64url(challenge),
        timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
        userVerification: 'required',
        ...(allow
          ? { allowCredentials: allow.map((c) => ({ id: c.id, transports: c.transports as never })) }
          : {}),
      })),
    };
  },

  async verifyRegistration({ response, rp, expectedChallenge }) {
    const { verifyRegistrationResponse } = await load();
    try {
      const verified = await verifyRegistrationResponse({
        response: response as never,
        expectedChallenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.id,
        requireUserVerification: true,
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      });
      if (!verified.verified) return { ok: false, reason: 'not_verified' };
      const info = verified.registrationInfo;
      return {
        ok: true,
        credentialId: info.credential.id,
        publicKey: base64url(info.credential.publicKey),
        counter: info.credential.counter,
        transports: info.credential.transports,
        deviceType: info.credentialDeviceType === 'multiDevice' ? 'multiDevice' : 'singleDevice',
        backedUp: info.credentialBackedUp,
        aaguid: info.aaguid,
      };
    } catch (error) {
      return { ok: false, reason: failureReason(error) };
    }
  },

  async verifyAuthentication({ response, rp, expectedChallenge, credential }) {
    const { verifyAuthenticationResponse } = await load();
    try {
      const verified = await verifyAuthenticationResponse({
        response: response as never,
        expectedChallenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.id,
        // The counter is the core's rule (method.ts), compared after the signature is known to be good.
        credential: {
          id: credential.id,
          publicKey: fromBase64url(credential.publicKey),
          counter: 0,
          transports: credential.transports as never,
        },
        requireUserVerification: true,
      });
      if (!verified.verified) return { ok: false, reason: 'not_verified' };
      return {
        ok: true,
        newCounter: verified.authenticationInfo.newCounter,
        backedUp: verified.authenticationInfo.credentialBackedUp,
      };
    } catch (error) {
      return { ok: false, reason: failureReason(error) };
    }
  },
};
