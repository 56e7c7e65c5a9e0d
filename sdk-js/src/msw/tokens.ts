import type { Jwk, TokenResponse } from '@enforcer/contract';
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
import { hmacKey, hmacSha256, randomToken } from './crypto';
import { MockError } from './problem';
import type { AccountRow, MockStore, RefreshTokenRow, SessionRow } from './store';

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

const REFRESH_TOKEN = /^ert_[A-Za-z0-9_-]{43}$/;

/**
 * The mock's token service: ES256 `at+jwt` access tokens in exactly the server's format
 * (header `{ alg, typ, kid }` with the RFC 7638 thumbprint as `kid`; claims iss, aud, sub,
 * person_id, tenant_id, sid, roles, groups, amr, grant_version, iat, exp, jti), and opaque
 * refresh tokens rotated like the server's (derived successors, reuse detection, grace window).
 */
export class MockTokens {
  readonly settings: TokenSettings;
  readonly #store: MockStore;
  #keys: Promise<SigningKey[]> | undefined;
  #successorKey: Promise<CryptoKey> | undefined;

  constructor(store: MockStore, settings: TokenSettings) {
    this.#store = store;
    this.settings = settings;
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
      ...(session.mfaAt !== null ? { mfa_at: Math.floor(session.mfaAt / 1000) } : {}),
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
    const now = this.#store.now();
    const session: SessionRow = {
      id: crypto.randomUUID(),
      accountId: account.id,
      personId: account.personId,
      tenantId: account.tenantId,
      amr,
      createdAt: now,
      absoluteExpiresAt: now + this.settings.refreshAbsoluteTtl * 1000,
      revokedAt: null,
      revokeReason: null,
      mfaAt,
    };
    this.#store.sessions.set(session.id, session);
    const refresh = this.#createRefreshToken(session, `ert_${randomToken(32)}`);
    return this.#response(account, session, refresh.token);
  }

  /** `POST /auth/refresh`: rotation, reuse detection and the grace window, as the server. */
  async refresh(presented: string): Promise<TokenResponse> {
    if (!REFRESH_TOKEN.test(presented))
      throw new MockError('refresh_token_invalid', 'The refresh token is not valid');
    // Derived before looking anything up, so the rest runs without awaiting (one "transaction").
    const successor = await this.#successor(presented);
    const store = this.#store;
    const now = store.now();
    const row = store.refreshTokens.get(presented);
    if (!row) throw new MockError('refresh_token_invalid', 'The refresh token is not valid');
    const session = store.sessions.get(row.sessionId)!;
    if (session.revokedAt !== null) throw new MockError('refresh_token_invalid', 'The session has ended');
    if (session.absoluteExpiresAt <= now)
      throw new MockError('refresh_token_invalid', 'The session has expired');
    const account = store.accounts.get(session.accountId)!;

    if (row.usedAt !== null) {
      const inGrace = now - row.usedAt <= this.settings.refreshGrace * 1000;
      const next = inGrace && row.replacedBy ? store.refreshTokens.get(row.replacedBy) : undefined;
      if (next && next.usedAt === null && next.expiresAt > now && next.token === successor) {
        this.#checkActive(account, session);
        return this.#response(account, session, next.token);
      }
      store.revokeSession(session, 'refresh_token_reuse');
      throw new MockError(
        'refresh_token_reused',
        'This refresh token was already used; the session has been ended for safety. Sign in again.',
      );
    }
    if (row.expiresAt <= now) throw new MockError('refresh_token_invalid', 'The refresh token has expired');
    this.#checkActive(account, session);
    const next = this.#createRefreshToken(session, successor);
    row.usedAt = now;
    row.replacedBy = next.token;
    return this.#response(account, session, next.token);
  }

  #checkActive(account: AccountRow, session: SessionRow): void {
    if (account.active) return;
    this.#store.revokeSession(session, 'account_inactive');
    throw new MockError('account_inactive', 'This account has been deactivated');
  }

  #createRefreshToken(session: SessionRow, token: string): RefreshTokenRow {
    const now = this.#store.now();
    const row: RefreshTokenRow = {
      token,
      sessionId: session.id,
      usedAt: null,
      replacedBy: null,
      createdAt: now,
      expiresAt: Math.min(now + this.settings.refreshIdleTtl * 1000, session.absoluteExpiresAt),
    };
    this.#store.refreshTokens.set(token, row);
    return row;
  }

  async #successor(presented: string): Promise<string> {
    this.#successorKey ??= hmacKey();
    return `ert_${await hmacSha256(await this.#successorKey, presented)}`;
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
