import {
  createLocalJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { MockContext } from '../context';
import { randomToken } from '../crypto';
import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';
import { trySettingsFor } from './settings';
import type { Authentication } from './sign-in';

/** The two spellings of Google's issuer; subjects are stored under the https one (as the server). */
export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

export interface GoogleIdTokenClaims extends JWTPayload {
  /** One of the tenant's `auth_settings.google.client_ids`. */
  aud: string;
  /** The nonce the client sends with the token (`POST /auth/login { provider: 'google', nonce }`). */
  nonce?: string;
  /** Default: a random numeric subject. */
  sub?: string;
  email?: string;
  email_verified?: boolean;
}

/**
 * Google for the mock: the key set ID tokens are verified against. By default an RS256 key made
 * here (`signIdToken` signs with it); `createEnforcerMock({ google: { jwks } })` verifies against
 * a key set of your own instead.
 */
export class MockGoogle {
  readonly #store: MockStore;
  readonly #customJwks: JSONWebKeySet | undefined;
  #keys: Promise<{ privateKey: CryptoKey; jwk: JWK }> | undefined;

  constructor(store: MockStore, jwks?: JSONWebKeySet) {
    this.#store = store;
    this.#customJwks = jwks;
  }

  #own() {
    this.#keys ??= (async () => {
      const pair = await generateKeyPair('RS256', { extractable: true });
      const jwk: JWK = {
        ...(await exportJWK(pair.publicKey)),
        kid: `mock-google-${randomToken(6)}`,
        alg: 'RS256',
        use: 'sig',
      };
      return { privateKey: pair.privateKey, jwk };
    })();
    return this.#keys;
  }

  /** The public key set tokens are checked against. */
  async keys(): Promise<JSONWebKeySet> {
    return this.#customJwks ?? { keys: [(await this.#own()).jwk] };
  }

  /** An ID token as Google issues it (iss, iat = now, exp = now + 1 h by default), signed with the mock's key. */
  async signIdToken(claims: GoogleIdTokenClaims): Promise<string> {
    if (this.#customJwks)
      throw new Error('[enforcer mock] signIdToken: the mock was given its own Google JWKS');
    const { privateKey, jwk } = await this.#own();
    const now = Math.floor(this.#store.now() / 1000);
    return new SignJWT({
      iss: GOOGLE_ISSUERS[0],
      sub: String(100_000_000_000 + Math.floor(Math.random() * 1e11)),
      iat: now,
      exp: now + 3600,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid!, typ: 'JWT' })
      .sign(privateKey);
  }
}

const googles = new WeakMap<MockStore, MockGoogle>();
export function googleOf(store: MockStore, jwks?: JSONWebKeySet): MockGoogle {
  let google = googles.get(store);
  if (!google) {
    google = new MockGoogle(store, jwks);
    googles.set(store, google);
  }
  return google;
}

const refused = (reason: string, detail: string): Authentication => ({
  ok: false,
  error: new MockError('provider_token_invalid', detail),
  reason,
});

/**
 * The server's `proveGoogle` (server/src/domains/auth/strategies/google/): RS256 signature against
 * the key set, issuer, audience (one of the tenant's client ids), expiry with the clock tolerance, the
 * nonce equal to the one sent, and each nonce accepted once.
 */
export async function verifyGoogleIdToken(
  ctx: MockContext,
  tenant: TenantRow,
  token: string,
  nonce: string,
): Promise<Authentication> {
  const { store, tokens } = ctx;
  const settings = trySettingsFor(store, tenant, 'google');
  if (!settings.ok) return settings;
  const tolerance = tokens.settings.clockTolerance;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(await googleOf(store).keys()), {
      issuer: GOOGLE_ISSUERS,
      audience: settings.settings.client_ids,
      algorithms: ['RS256'],
      currentDate: new Date(store.now()),
      clockTolerance: tolerance,
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (error) {
    return googleFailure(error);
  }
  if (typeof payload.nonce !== 'string' || payload.nonce !== nonce) {
    return refused('nonce_mismatch', "The ID token's nonce is not the one sent with it");
  }
  const sub = payload.sub!;
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(sub)) return refused('malformed', 'The ID token has no usable subject');
  const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : undefined;
  const emailVerified = payload.email_verified === true || payload.email_verified === 'true';
  // Single use: the nonce is remembered until the token could no longer be accepted.
  const now = store.now();
  for (const [seen, until] of store.googleNonces) if (until <= now) store.googleNonces.delete(seen);
  if (store.googleNonces.has(nonce)) {
    return refused('nonce_replayed', 'This ID token (its nonce) has already been used');
  }
  store.googleNonces.set(nonce, (payload.exp! + tolerance) * 1000);
  return {
    ok: true,
    identity: {
      provider: 'google',
      subject: `${GOOGLE_ISSUERS[0]}|${sub}`,
      ...(email && email.length <= 254 ? { email, emailVerified } : {}),
    },
  };
}

function googleFailure(error: unknown): Authentication {
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
  return refused('malformed', 'The Google ID token is malformed');
}
