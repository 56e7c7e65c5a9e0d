import { type AccessTokenClaims, accessTokenClaimsSchema } from '@enforcer/contract';
import { errors, type JWTHeaderParameters, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../errors.js';
import { addSeconds, base64url, type Clock, type RandomSource } from '../platform.js';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js';

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
}

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * Issues and verifies Enforcer's ES256 `at+jwt` access tokens (RFC 9068), for the server and the mock
 * alike: header `{ alg, typ, kid }`, the claims of the contract's `accessTokenClaimsSchema`.
 */
export class AccessTokenService {
  readonly #o: AccessTokenServiceOptions;

  constructor(options: AccessTokenServiceOptions) {
    this.#o = options;
  }

  get ttlSeconds(): number {
    return this.#o.ttlSeconds;
  }

  async issue(subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    const key = await this.#o.keys.getSigningKey();
    const issuedAt = this.#o.clock.now();
    const iat = epochSeconds(issuedAt);
    const exp = iat + this.#o.ttlSeconds;
    const jti = base64url(this.#o.random.bytes(16));
    const token = await new SignJWT({
      person_id: subject.personId,
      tenant_id: subject.tenantId,
      sid: subject.sessionId,
      roles: subject.roles,
      groups: subject.groups,
      amr: subject.amr,
      grant_version: subject.grantVersion,
      ...(subject.mfaAt ? { mfa_at: epochSeconds(subject.mfaAt) } : {}),
    })
      .setProtectedHeader({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYP, kid: key.kid })
      .setIssuer(this.#o.issuer)
      .setAudience(this.#o.audience)
      .setSubject(subject.accountId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key.privateKey);
    return {
      token,
      jti,
      kid: key.kid,
      issuedAt,
      expiresAt: addSeconds(new Date(iat * 1000), this.#o.ttlSeconds),
      expiresIn: this.#o.ttlSeconds,
    };
  }

  /**
   * Verifies signature (ES256 only, a published key of ours), `typ`, issuer, audience and lifetime (with
   * the configured clock tolerance), then the claims' shape. Throws `AppError` `token_expired` or
   * `token_invalid`; an error reading the keys propagates as it is (a 503 upstream, not a verdict).
   */
  async verify(token: string): Promise<AccessTokenClaims> {
    let lookupFailure: { error: unknown } | undefined;
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(
        token,
        async (header: JWTHeaderParameters) => {
          let key: CryptoKey | undefined;
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
    const claims = accessTokenClaimsSchema.safeParse(payload);
    if (!claims.success) throw new AppError('token_invalid', 'The access token is missing required claims');
    return claims.data;
  }
}
