import {
  base64url,
  GOOGLE_ISSUERS,
  GoogleIdTokenVerifier,
  type GoogleMethodDeps,
  webCryptoRandom,
} from '@enforcer/core';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import type { MockStore } from '../store';

export { GOOGLE_ISSUERS } from '@enforcer/core';

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
        kid: `mock-google-${base64url(webCryptoRandom.bytes(6))}`,
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

/**
 * The core's `GoogleIdTokenVerifier` against the mock's key set (made on first use: the key pair is
 * generated lazily), on the mock's clock.
 */
export function mockGoogleVerifier(
  google: MockGoogle,
  store: MockStore,
  clockToleranceSeconds: number,
): GoogleMethodDeps['google'] {
  let verifier: Promise<GoogleIdTokenVerifier> | undefined;
  return {
    async verify(input) {
      verifier ??= google.keys().then(
        (keys) =>
          new GoogleIdTokenVerifier({
            keys: createLocalJWKSet(keys),
            clock: { now: () => new Date(store.now()) },
            clockToleranceSeconds,
          }),
      );
      return (await verifier).verify(input);
    },
  };
}
