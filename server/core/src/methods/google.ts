import type { GoogleSettings } from '@enforcer/contract';
import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Challenges } from '../challenges/challenges.js';
import type { Clock } from '../platform.js';
import type { Repositories } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import type { Authentication, SignInMethod } from './method.js';
import { type ProofResult, refuseProof } from './result.js';
import { methodSettings } from './settings.js';

/** The two spellings of Google's issuer; subjects are stored under the https one. */
export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

/** A Google identity: issuer + subject, with the email and Google's `email_verified` when usable. */
export interface GoogleIdentity {
  provider: 'google';
  subject: string;
  email?: string;
  emailVerified?: boolean;
}

const refused = (reason: string, detail: string) => refuseProof('provider_token_invalid', reason, detail);

/**
 * Verifies Google ID tokens: RS256 signature against a key set (`keys`: jose's remote JWKS on the server,
 * a local one in the mock), issuer, audience (one of the tenant's client ids), expiry (with the clock
 * tolerance), `nonce` equal to the one the client sent, a usable subject; then the nonce is recorded
 * (`recordNonce`, until the token could no longer be accepted) and refused if it was seen before, so each
 * token works once. With `keysAreRemote`, a key set that cannot be fetched is `unavailable` (not the
 * caller's fault) rather than a malformed token.
 */
export class GoogleIdTokenVerifier {
  readonly #keys: JWTVerifyGetKey;
  readonly #clock: Clock;
  readonly #tolerance: number;
  readonly #remote: boolean;

  constructor(options: {
    keys: JWTVerifyGetKey;
    clock: Clock;
    clockToleranceSeconds: number;
    keysAreRemote?: boolean;
  }) {
    this.#keys = options.keys;
    this.#clock = options.clock;
    this.#tolerance = options.clockToleranceSeconds;
    this.#remote = options.keysAreRemote ?? false;
  }

  async verify(input: {
    token: string;
    settings: GoogleSettings;
    nonce: string;
    /** Records a nonce as seen until `expiresAt`; false when it was seen before. */
    recordNonce: (nonce: string, expiresAt: Date) => Promise<boolean> | boolean;
  }): Promise<ProofResult<GoogleIdentity>> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(input.token, this.#keys, {
        issuer: GOOGLE_ISSUERS,
        audience: input.settings.client_ids,
        algorithms: ['RS256'],
        currentDate: this.#clock.now(),
        clockTolerance: this.#tolerance,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (error) {
      return this.#failure(error);
    }
    if (typeof payload.nonce !== 'string' || payload.nonce !== input.nonce) {
      return refused('nonce_mismatch', "The ID token's nonce is not the one sent with it");
    }
    const sub = payload.sub!;
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(sub))
      return refused('malformed', 'The ID token has no usable subject');
    const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : undefined;
    const emailVerified = payload.email_verified === true || payload.email_verified === 'true';
    const fresh = await input.recordNonce(input.nonce, new Date((payload.exp! + this.#tolerance) * 1000));
    if (!fresh) return refused('nonce_replayed', 'This ID token (its nonce) has already been used');
    return {
      ok: true,
      value: {
        provider: 'google',
        subject: `${GOOGLE_ISSUERS[0]}|${sub}`,
        ...(email && email.length <= 254 ? { email, emailVerified } : {}),
      },
    };
  }

  #failure(error: unknown): ProofResult<never> {
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
      this.#remote &&
      (!(error instanceof errors.JOSEError) ||
        error instanceof errors.JWKSTimeout ||
        error instanceof errors.JWKSInvalid ||
        (error.code === 'ERR_JOSE_GENERIC' && /Key Set/.test(error.message)));
    if (jwksTrouble) {
      return {
        ...refuseProof(
          'unavailable',
          'jwks_unavailable',
          "Google's signing keys could not be fetched; try again shortly",
        ),
        cause: error,
      };
    }
    return refused('malformed', 'The Google ID token is malformed');
  }
}

/** What the `google` method is built with: the ID-token verifier (Google's keys) and the nonce ledger. */
export interface GoogleMethodDeps {
  google: Pick<GoogleIdTokenVerifier, 'verify'>;
  challenges: Challenges;
}

/**
 * `google`: a Google ID token (Google Identity Services, One Tap or a native SDK) for one of the tenant's
 * client ids, with the nonce the client put in its request. The identity is Google's issuer + subject;
 * each nonce (hence each token) is accepted once: it is recorded as seen (purpose `google_nonce`) in the
 * caller's unit of work.
 */
export const googleSignIn = (deps: GoogleMethodDeps): SignInMethod<'google'> => ({
  id: 'google',
  amr: ['google'],
  authenticate: ({ repos, tenant }, body) => proveGoogle(deps, repos, tenant, body),
});

/** Proves a Google identity for `tenant` (sign-in and linking). */
export async function proveGoogle(
  deps: GoogleMethodDeps,
  repos: Repositories,
  tenant: TenantRecord,
  input: { token: string; nonce: string },
): Promise<Authentication> {
  const settings = methodSettings(tenant, 'google');
  if (!settings.ok) return settings;
  const check = await deps.google.verify({
    token: input.token,
    settings: settings.value,
    nonce: input.nonce,
    recordNonce: (nonce, expiresAt) =>
      deps.challenges.recordOnce(repos.challenges, nonce, {
        purpose: 'google_nonce',
        tenantId: null,
        expiresAt,
      }),
  });
  return check.ok ? { ok: true, identity: check.value } : check;
}
