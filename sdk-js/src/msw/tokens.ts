import type { Jwk, TokenResponse } from '@enforcer/contract';
import {
  AccessTokenService,
  RefreshTokenService,
  refreshSecondFactorGate,
  SessionTokens,
  webCryptoRandom,
} from '@enforcer/core';
import { type MemoryAccountRow, MemorySigningKeys } from '@enforcer/core/memory';
import type { AccessTokenClaims } from '../session/claims';
import type { MockStore } from './store';

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

/**
 * The mock's token service: access tokens are the core's `AccessTokenService` over memory signing keys
 * (the server's format, header and claims, to the byte); sessions and refresh tokens are the core's
 * `RefreshTokenService` over the store's memory session store, as on the server.
 */
export class MockTokens {
  readonly settings: TokenSettings;
  readonly #store: MockStore;
  readonly #refresh: RefreshTokenService;
  readonly #keys: MemorySigningKeys;
  readonly #access: AccessTokenService;
  /** The core's sessions as sign-in opens them (login, join, switch, invite, refresh), over `store.db`. */
  readonly sessions: SessionTokens;

  constructor(store: MockStore, settings: TokenSettings) {
    this.#store = store;
    this.settings = settings;
    const clock = { now: () => new Date(store.now()) };
    this.#refresh = new RefreshTokenService({
      store: store.db.sessions,
      clock,
      random: webCryptoRandom,
      successorKey: webCryptoRandom.bytes(32),
      idleTtlSeconds: settings.refreshIdleTtl,
      absoluteTtlSeconds: settings.refreshAbsoluteTtl,
      graceSeconds: settings.refreshGrace,
    });
    this.#keys = new MemorySigningKeys({ clock });
    this.#access = new AccessTokenService({
      keys: this.#keys,
      clock,
      random: webCryptoRandom,
      issuer: settings.issuer,
      audience: settings.audience,
      ttlSeconds: settings.accessTtl,
      clockToleranceSeconds: settings.clockTolerance,
    });
    this.sessions = new SessionTokens({
      access: this.#access,
      refresh: this.#refresh,
      uow: store.db,
      secondFactor: refreshSecondFactorGate({ clock, random: webCryptoRandom }),
    });
  }

  /** The core's access-token service (impersonation mints with it, as the server does). */
  get access(): AccessTokenService {
    return this.#access;
  }

  /** Rotates the signing key: the new one signs, the old one stays published (and accepted). */
  rotateKeys(): Promise<void> {
    return this.#keys.rotate();
  }

  async jwks(): Promise<{ keys: Jwk[] }> {
    return (await this.#keys.getJwks()) as { keys: Jwk[] };
  }

  /** Verifies an access token as the server does: `token_expired` or `token_invalid`. */
  verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    return this.#access.verify(token);
  }

  /**
   * A new session (token family) for an account that just proved who it is: the core's `SessionTokens`
   * in a unit of work of its own (callers hold none). `account_inactive` for a deactivated account.
   */
  signIn(account: MemoryAccountRow, amr: string[], mfaAt: number | null = null): Promise<TokenResponse> {
    return this.#store.db.transaction(async (repos) => {
      const opened = await this.sessions.open(repos, {
        accountId: account.id,
        amr,
        mfaAt: mfaAt === null ? null : new Date(mfaAt),
        client: {},
      });
      return opened.response;
    });
  }
}
