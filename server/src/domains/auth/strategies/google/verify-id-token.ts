import type { GoogleSettings } from '@enforcer/contract';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { Clock } from '../../../../lib/clock.js';
import { AppError } from '../../../../lib/errors.js';
import type { LinkedIdentity } from '../../strategy.js';

/** The two spellings of Google's issuer; subjects are stored under the https one. */
export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

export type GoogleCheck =
  | { ok: true; identity: LinkedIdentity; expiresAt: Date }
  | { ok: false; error: AppError; reason: string };

const refused = (reason: string, detail: string): GoogleCheck => ({
  ok: false,
  error: new AppError('provider_token_invalid', detail),
  reason,
});

/**
 * Verifies Google ID tokens: RS256 signature against Google's JWKS (fetched from `jwksUrl` and cached by
 * jose; an unknown `kid` refetches, at most every 30 s), issuer, audience (one of the tenant's client ids),
 * expiry (with the configured clock tolerance), and `nonce` equal to the one the client sent. The
 * identity is Google's issuer + subject; the email is passed on with Google's `email_verified`.
 */
export class GoogleIdTokenVerifier {
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;
  readonly #clock: Clock;
  readonly #tolerance: number;

  constructor(options: { jwksUrl: string; clock: Clock; clockToleranceSeconds: number }) {
    this.#jwks = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 5000 });
    this.#clock = options.clock;
    this.#tolerance = options.clockToleranceSeconds;
  }

  async verify(token: string, settings: GoogleSettings, nonce: string): Promise<GoogleCheck> {
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, this.#jwks, {
        issuer: GOOGLE_ISSUERS,
        audience: settings.client_ids,
        algorithms: ['RS256'],
        currentDate: this.#clock.now(),
        clockTolerance: this.#tolerance,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (error) {
      return googleFailure(error);
    }
    if (typeof payload.nonce !== 'string' || payload.nonce !== nonce) {
      return refused('nonce_mismatch', "The ID token's nonce is not the one sent with it");
    }
    const sub = payload.sub!;
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(sub))
      return refused('malformed', 'The ID token has no usable subject');
    const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : undefined;
    const emailVerified = payload.email_verified === true || payload.email_verified === 'true';
    return {
      ok: true,
      identity: {
        provider: 'google',
        subject: `${GOOGLE_ISSUERS[0]}|${sub}`,
        ...(email && email.length <= 254 ? { email, emailVerified } : {}),
      },
      expiresAt: new Date(payload.exp! * 1000),
    };
  }
}

function googleFailure(error: unknown): GoogleCheck {
  if (error instanceof errors.JWTExpired) return refused('expired', 'The Google ID token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'iss') return refused('wrong_issuer', 'The ID token was not issued by Google');
    if (claim === 'aud')
      return refused('wrong_audience', "The ID token is not for this tenant's Google client");
    return refused(`bad_claim_${claim}`, `The ID token's ${claim} claim is not acceptable`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refused('bad_signature', "The ID token's signature does not verify");
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return refused('unknown_key', "The ID token is not signed by one of Google's keys");
  }
  const jwksTrouble =
    !(error instanceof errors.JOSEError) ||
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    (error.code === 'ERR_JOSE_GENERIC' && /Key Set/.test(error.message));
  if (jwksTrouble) {
    // Google's keys could not be fetched: not the caller's fault.
    return {
      ok: false,
      error: new AppError('unavailable', "Google's signing keys could not be fetched; try again shortly", {
        cause: error,
      }),
      reason: 'jwks_unavailable',
    };
  }
  return refused('malformed', 'The Google ID token is malformed');
}
