import type { AccessTokenService, RefreshTokenService, SessionRecord, SessionStore } from '@enforcer/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { AppError, refusalError } from '../../lib/errors.js';
import { type Grant, loadGrant } from './load-grant.js';

/** The tokens handed to a client at login, refresh and tenant switch. */
export interface SessionTokens {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
  sessionId: string;
  accountId: string;
  personId: string;
  tenantId: string;
  grant: Grant;
}

export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

/**
 * Login, refresh and tenant switch all end here: a session (refresh-token family) for one account, and
 * an access token carrying the account's current role, groups and grant version.
 */
export class SessionTokenService {
  readonly #orm: MikroORM;
  readonly #access: AccessTokenService;
  readonly #refresh: RefreshTokenService;
  readonly #storeIn: (tx: EntityManager) => SessionStore;

  /** `storeIn` gives the session store inside a transaction, so a sign-in commits with its caller. */
  constructor(options: {
    orm: MikroORM;
    access: AccessTokenService;
    refresh: RefreshTokenService;
    storeIn: (tx: EntityManager) => SessionStore;
  }) {
    this.#orm = options.orm;
    this.#access = options.access;
    this.#refresh = options.refresh;
    this.#storeIn = options.storeIn;
  }

  /** Ends a session inside the caller's transaction (it commits with it). False when already ended. */
  endSession(tx: EntityManager, sessionId: string, reason: string): Promise<boolean> {
    return this.#refresh.revokeSession(sessionId, reason, this.#storeIn(tx));
  }

  /**
   * Starts a session for an account that has just authenticated with `amr`. Pass `em` to make the session
   * part of the caller's transaction (it is flushed, not committed). Throws `account_inactive`.
   */
  async signIn(
    input: { accountId: string; amr: string[]; mfaAt?: Date | null } & ClientInfo,
    em?: EntityManager,
  ): Promise<SessionTokens> {
    const run = async (tx: EntityManager) => {
      const grant = await loadGrant(tx, input.accountId);
      if (!grant) throw new AppError('not_found', 'No such account');
      if (!grant.active) throw new AppError('account_inactive', 'This account has been deactivated');
      const issued = await this.#refresh.startSession(
        {
          accountId: grant.accountId,
          personId: grant.personId,
          tenantId: grant.tenantId,
          amr: input.amr,
          mfaAt: input.mfaAt ?? null,
          ip: input.ip ?? null,
          userAgent: input.userAgent ?? null,
        },
        this.#storeIn(tx),
      );
      return { grant, issued };
    };
    const { grant, issued } = em ? await run(em) : await this.#orm.em.fork().transactional(run);
    return this.#tokens(grant, issued.session, issued);
  }

  /**
   * Rotates a refresh token and mints a fresh access token from the account's current grant.
   * A deactivated account's session is revoked (`account_inactive`).
   */
  async refresh(
    refreshToken: string,
    options: { tenantId?: string } & ClientInfo = {},
  ): Promise<SessionTokens> {
    let grant: Grant | undefined;
    const rotated = await this.#refresh.rotate(refreshToken, {
      tenantId: options.tenantId,
      ip: options.ip,
      userAgent: options.userAgent,
      check: async (session) => {
        grant = await loadGrant(this.#orm.em.fork(), session.accountId);
        if (grant?.active) return undefined;
        return {
          ok: false,
          code: 'account_inactive',
          detail: 'This account has been deactivated',
          reason: 'account_inactive',
        };
      },
    });
    if (!rotated.ok) throw refusalError(rotated);
    return this.#tokens(grant!, rotated.value.session, rotated.value);
  }

  async #tokens(
    grant: Grant,
    session: Pick<SessionRecord, 'id' | 'amr' | 'mfaAt'>,
    refresh: { refreshToken: string; expiresAt: Date },
  ): Promise<SessionTokens> {
    const access = await this.#access.issue({
      accountId: grant.accountId,
      personId: grant.personId,
      tenantId: grant.tenantId,
      sessionId: session.id,
      roles: grant.roles,
      groups: grant.groups,
      amr: session.amr,
      mfaAt: session.mfaAt ?? null,
      grantVersion: grant.grantVersion,
    });
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
      expiresAt: access.expiresAt,
      refreshToken: refresh.refreshToken,
      refreshExpiresAt: refresh.expiresAt,
      sessionId: session.id,
      accountId: grant.accountId,
      personId: grant.personId,
      tenantId: grant.tenantId,
      grant,
    };
  }
}
