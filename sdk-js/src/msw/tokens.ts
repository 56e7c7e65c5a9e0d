import type { Jwk, TokenResponse } from '@enforcer/contract';
import { RefreshTokenService, webCryptoRandom } from '@enforcer/core';
import {
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { AccessTokenClaims } from '../session/claims';
import { randomToken } from './crypto';
import { MockError } from './problem';
import type { AccountRow, MockStore, SessionRow } from './store';

export interface TokenSettings {
  issuer: string;
  audience: string;
  /** Access token lifetime (s). Server default 900. */
  accessTtl: number;
  /** Refresh token idle lifetime (s). Server default 14 d. */
  refreshIdleTtl: number;
  /** Session absolute lifetime (s). Server default 30 d. */
  refreshAbsoluteTtl: number;
  /** Grace window for presenting a used refresh token again (s). Server default 10. */
  refreshGrace: number;
  /** Clock skew tolerated when verifying (s). Server default 10. */
  clockTolerance: number;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * The mock's token service: ES256 `at+jwt` access tokens in exactly the server's format
 * (header `{ alg, typ, kid }` with the RFC 7638 thumbprint as `kid`; claims iss, aud, sub,
 * person_id, tenant_id, sid, roles, groups, amr, grant_version, iat, exp, jti); sessions and refresh
 * tokens are the core's RefreshTokenService over the store's memory session store, as on the server.
 */
export class MockTokens {
  readonly settings: TokenSettings;
  readonly #store: MockStore;
  readonly #refresh: RefreshTokenService;
  #keys: Promise<SigningKey[]> | undefined;

  constructor(store: MockStore, settings: TokenSettings) {
    this.#store = store;
    this.settings = settings;
    this.#refresh = new RefreshTokenService({
      store: store.sessionStore,
      clock: { now: () => new Date(store.now()) },
      random: webCryptoRandom,
      successorKey: webCryptoRandom.bytes(32),
      idleTtlSeconds: settings.refreshIdleTtl,
      absoluteTtlSeconds: settings.refreshAbsoluteTtl,
      graceSeconds: settings.refreshGrace,
    });
  }

  async #newKey(): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const exported = await exportJWK(publicKey);
    const publicJwk: JWK = { kty: exported.kty, crv: exported.crv, x: exported.x, y: exported.y };
    return { kid: await calculateJwkThumbprint(publicJwk, 'sha256'), privateKey, publicKey, publicJwk };
  }

  #signingKeys(): Promise<SigningKey[]> {
    this.#keys ??= this.#newKey().then((key) => [key]);
    return this.#keys;
  }

  /** Rotates the signing key: the new one signs, the old one stays published (and accepted). */
  async rotateKeys(): Promise<void> {
    const [current, next] = await Promise.all([this.#signingKeys(), this.#newKey()]);
    this.#keys = Promise.resolve([next, ...current]);
  }

  async jwks(): Promise<{ keys: Jwk[] }> {
    const keys = await this.#signingKeys();
    return { keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'ES256', use: 'sig' }) as Jwk) };
  }

  async issueAccessToken(
    account: AccountRow,
    session: SessionRow,
  ): Promise<{ token: string; expiresAt: Date }> {
    const [key] = await this.#signingKeys();
    const iat = Math.floor(this.#store.now() / 1000);
    const exp = iat + this.settings.accessTtl;
    const token = await new SignJWT({
      person_id: account.personId,
      tenant_id: account.tenantId,
      sid: session.id,
      roles: [account.role],
      groups: this.#store.groupNames(account.id),
      amr: session.amr,
      grant_version: account.grantVersion,
      ...(session.mfaAt !== null ? { mfa_at: Math.floor(session.mfaAt.getTime() / 1000) } : {}),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key!.kid })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(account.id)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomToken(16))
      .sign(key!.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Verifies an access token as the server does: `token_expired` or `token_invalid`. */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    const keys = await this.#signingKeys();
    try {
      const { payload } = await jwtVerify(
        token,
        async (header: JWTHeaderParameters) => {
          const key = keys.find((k) => k.kid === header.kid);
          if (!key) throw new errors.JWKSNoMatchingKey();
          return key.publicKey;
        },
        {
          algorithms: ['ES256'],
          typ: 'at+jwt',
          issuer: this.settings.issuer,
          audience: this.settings.audience,
          clockTolerance: this.settings.clockTolerance,
          currentDate: new Date(this.#store.now()),
          requiredClaims: ['sub', 'iat', 'exp', 'jti'],
        },
      );
      return payload as unknown as AccessTokenClaims;
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new MockError('token_expired', 'The access token has expired');
      throw new MockError('token_invalid', 'The access token is not valid');
    }
  }

  /** A new session (token family) for an account that just proved who it is. */
  async signIn(account: AccountRow, amr: string[], mfaAt: number | null = null): Promise<TokenResponse> {
    if (!account.active) throw new MockError('account_inactive', 'This account has been deactivated');
    const issued = await this.#refresh.startSession({
      accountId: account.id,
      personId: account.personId,
      tenantId: account.tenantId,
      amr,
      mfaAt: mfaAt === null ? null : new Date(mfaAt),
    });
    return this.#response(account, issued.session, issued.refreshToken);
  }

  /** `POST /auth/refresh`: the core's rotation; a deactivated account's session ends. */
  async refresh(presented: string): Promise<TokenResponse> {
    const rotated = await this.#refresh.rotate(presented, {
      check: async (session) =>
        this.#store.accounts.get(session.accountId)!.active
          ? undefined
          : {
              ok: false,
              code: 'account_inactive',
              detail: 'This account has been deactivated',
              reason: 'account_inactive',
            },
    });
    if (!rotated.ok) throw new MockError(rotated.code, rotated.detail);
    const { session, refreshToken } = rotated.value;
    return this.#response(this.#store.accounts.get(session.accountId)!, session, refreshToken);
  }

  /** The session of a refresh token (`POST /auth/logout` with one), or null. */
  sessionOf(presented: string): Promise<SessionRow | null> {
    return this.#refresh.sessionOf(presented);
  }

  async #response(account: AccountRow, session: SessionRow, refreshToken: string): Promise<TokenResponse> {
    const store = this.#store;
    const access = await this.issueAccessToken(account, session);
    return {
      token: access.token,
      refresh_token: refreshToken,
      expires_at: access.expiresAt.toISOString(),
      token_type: 'Bearer',
      account: store.accountView(account),
      person: store.personView(store.persons.get(account.personId)!),
      tenant: store.tenantView(store.tenants.get(account.tenantId)!),
    };
  }
}
