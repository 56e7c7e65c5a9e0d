import {
  type AccessTokenClaims,
  accessTokenClaimsSchema,
  type ClientTokenClaims,
  clientTokenClaimsSchema,
  type SubjectAttributeValue,
  VerifiedTokenCache,
} from '@enforcer/contract';
import { errors, type JWTHeaderParameters, jwtVerify } from 'jose';
import { AppError } from '../errors.js';
import { addSeconds, base64url, type Clock, type RandomSource } from '../platform.js';
import { es256Sign, SIGNING_ALG, type SigningKeys } from './signing-keys.js';

const utf8 = new TextEncoder();
const base64urlJson = (value: object): string => base64url(utf8.encode(JSON.stringify(value)));

/** RFC 9068 JWT access token media type, in the `typ` header. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Who an access token speaks for, and what it carries. */
export interface AccessTokenSubject {
  accountId: string;
  personId: string;
  tenantId: string;
  sessionId: string;
  roles: string[];
  groups: string[];
  /** Authentication methods (RFC 8176), e.g. `otp`, `hwk`. */
  amr: string[];
  /** The account's grant version when the token was minted. */
  grantVersion: number;
  /** When the session last completed a second factor (claim `mfa_at`, absent when never). */
  mfaAt?: Date | null;
  /** The account acting through this token (impersonation): claim `act: { sub }` (RFC 8693 §4.1). */
  actorAccountId?: string | null;
  /** A shorter lifetime than the service's (impersonation tokens); never a longer one. */
  ttlSeconds?: number;
  /** Subject attributes from the account's public metadata (claim `attrs`, absent when none). */
  attributes?: Readonly<Record<string, SubjectAttributeValue>>;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  kid: string;
  issuedAt: Date;
  expiresAt: Date;
  /** Seconds until expiry (the `expires_in` of a token response). */
  expiresIn: number;
}

export interface AccessTokenServiceOptions {
  keys: SigningKeys;
  clock: Clock;
  random: RandomSource;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  clockToleranceSeconds: number;
  /**
   * How many verified tokens to remember (default 10,000; 0 turns it off): the same token presented again
   * skips the signature check, with its expiry and its key checked again on every use.
   */
  verifiedTokenCacheSize?: number;
}

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * Issues and verifies Enforcer's ES256 `at+jwt` access tokens (RFC 9068), for the server and the mock
 * alike: header `{ alg, typ, kid }`, the claims of the contract's `accessTokenClaimsSchema`.
 */
export class AccessTokenService {
  readonly #o: AccessTokenServiceOptions;
  readonly #verified: VerifiedTokenCache<{ claims: AccessTokenClaims; exp: number; kid: string }>;

  constructor(options: AccessTokenServiceOptions) {
    this.#o = options;
    this.#verified = new VerifiedTokenCache(options.verifiedTokenCacheSize ?? 10_000);
  }

  get ttlSeconds(): number {
    return this.#o.ttlSeconds;
  }

  /** The `iss` of the tokens (the API's base URL): `POST /oauth/token` is under it. */
  get issuer(): string {
    return this.#o.issuer;
  }

  /**
   * An application's token (client credentials, #18): `sub` = client id, `kind: "client"`, its `scope`, no
   * person, session, role or group. Same keys, `typ`, issuer, audience and lifetime cap as an account's.
   */
  async issueClient(client: {
    clientId: string;
    tenantId: string;
    scopes: readonly string[];
    ttlSeconds?: number;
  }): Promise<IssuedAccessToken> {
    return this.#sign(
      client.clientId,
      {
        kind: 'client',
        client_id: client.clientId,
        tenant_id: client.tenantId,
        scope: client.scopes.join(' '),
      },
      client.ttlSeconds,
    );
  }

  async issue(subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    return this.#sign(
      subject.accountId,
      {
        person_id: subject.personId,
        tenant_id: subject.tenantId,
        sid: subject.sessionId,
        roles: subject.roles,
        groups: subject.groups,
        amr: subject.amr,
        grant_version: subject.grantVersion,
        ...(subject.mfaAt ? { mfa_at: epochSeconds(subject.mfaAt) } : {}),
        ...(subject.actorAccountId ? { act: { sub: subject.actorAccountId } } : {}),
        ...(subject.attributes && Object.keys(subject.attributes).length > 0
          ? { attrs: subject.attributes }
          : {}),
      },
      subject.ttlSeconds,
    );
  }

  async #sign(
    sub: string,
    claims: Record<string, unknown>,
    ttlSeconds: number | undefined,
  ): Promise<IssuedAccessToken> {
    const key = await this.#o.keys.getSigningKey();
    const issuedAt = this.#o.clock.now();
    const iat = epochSeconds(issuedAt);
    const ttl = Math.min(ttlSeconds ?? this.#o.ttlSeconds, this.#o.ttlSeconds);
    const exp = iat + ttl;
    const jti = base64url(this.#o.random.bytes(16));
    // A compact JWS (RFC 7515 §7.1) assembled here, signed by the key's signer: jose (which verifies every
    // token, ours and everyone's) signs through WebCrypto only, which cost more than the rest of a refresh.
    const header = { alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYP, kid: key.kid };
    const payload = { ...claims, iss: this.#o.issuer, aud: this.#o.audience, sub, iat, exp, jti };
    const input = `${base64urlJson(header)}.${base64urlJson(payload)}`;
    const token = `${input}.${base64url(await es256Sign(key, utf8.encode(input)))}`;
    return {
      token,
      jti,
      kid: key.kid,
      issuedAt,
      expiresAt: addSeconds(new Date(iat * 1000), ttl),
      expiresIn: ttl,
    };
  }

  /**
   * Whether `token` is one `verify` accepted before and still remembers: an account's access token of ours
   * (our signature and issuer, not an application's), so the checks that route other kinds of token (an
   * application's, a Privy token) can be skipped. Not a verification: `verify` still decides (expiry, key).
   */
  verifiedBefore(token: string): boolean {
    return this.#verified.get(token) !== undefined;
  }

  /**
   * Verifies signature (ES256 only, a published key of ours), `typ`, issuer, audience and lifetime (with
   * the configured clock tolerance), then the claims' shape. Throws `AppError` `token_expired` or
   * `token_invalid`; an error reading the keys propagates as it is (a 503 upstream, not a verdict).
   * A token verified before answers from the cache while it has not expired and its key is still
   * published; otherwise it is verified again (and refused as it would have been).
   */
  async verify(token: string): Promise<AccessTokenClaims> {
    const cached = this.#verified.get(token);
    if (cached) {
      // jose's rule: expired once `exp <= now - tolerance`.
      const now = epochSeconds(this.#o.clock.now());
      if (
        cached.exp > now - this.#o.clockToleranceSeconds &&
        (await this.#o.keys.getVerificationKey(cached.kid))
      ) {
        return cached.claims;
      }
      this.#verified.delete(token);
    }
    const { payload, kid } = await this.#verifySignature(token);
    const claims = accessTokenClaimsSchema.safeParse(payload);
    // A client token lacks an account's claims (`person_id`, `sid`, ...): refused here, as intended.
    if (!claims.success || (payload as { kind?: unknown }).kind === 'client')
      throw new AppError('token_invalid', 'The access token is missing required claims');
    // Shared by every later request with this token: frozen, so no caller can change what the next one sees.
    const verified = deepFreeze(claims.data);
    if (kid) this.#verified.set(token, { claims: verified, exp: verified.exp, kid });
    return verified;
  }

  /**
   * Verifies an application's token (`issueClient`) as `verify` does an account's: signature, `typ`,
   * issuer, audience, lifetime, then the client claims. An account's token is `token_invalid` here.
   */
  async verifyClient(token: string): Promise<ClientTokenClaims> {
    const { payload } = await this.#verifySignature(token);
    const claims = clientTokenClaimsSchema.safeParse(payload);
    if (!claims.success) throw new AppError('token_invalid', 'The token is not an application token');
    return claims.data;
  }

  /** Is this (already decoded, not yet verified) token an application's? Cheap routing before verifying. */
  static looksLikeClientToken(token: string): boolean {
    const part = token.split('.')[1];
    if (!part) return false;
    try {
      const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
      return (JSON.parse(json) as { kind?: unknown }).kind === 'client';
    } catch {
      return false;
    }
  }

  async #verifySignature(token: string): Promise<{ payload: unknown; kid: string | undefined }> {
    let kid: string | undefined;
    let lookupFailure: { error: unknown } | undefined;
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(
        token,
        async (header: JWTHeaderParameters) => {
          let key: CryptoKey | undefined;
          kid = header.kid;
          try {
            key = header.kid ? await this.#o.keys.getVerificationKey(header.kid) : undefined;
          } catch (error) {
            lookupFailure = { error };
            throw error;
          }
          if (!key) throw new errors.JWKSNoMatchingKey();
          return key;
        },
        {
          algorithms: [SIGNING_ALG],
          typ: ACCESS_TOKEN_TYP,
          issuer: this.#o.issuer,
          audience: this.#o.audience,
          clockTolerance: this.#o.clockToleranceSeconds,
          currentDate: this.#o.clock.now(),
          requiredClaims: ['sub', 'iat', 'exp', 'jti'],
        },
      ));
    } catch (error) {
      if (lookupFailure) throw lookupFailure.error;
      if (error instanceof errors.JWTExpired) {
        throw new AppError('token_expired', 'The access token has expired');
      }
      throw new AppError('token_invalid', 'The access token is not valid', { cause: error });
    }
    return { payload, kid };
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
