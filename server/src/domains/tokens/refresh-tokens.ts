import { type EntityManager, LockMode, type MikroORM } from '@mikro-orm/postgresql';
import { addSeconds, type Clock } from '../../lib/clock.js';
import { deriveKey, hmacSha256, sha256 } from '../../lib/crypto.js';
import { AppError } from '../../lib/errors.js';
import type { RandomSource } from '../../lib/random.js';
import { recordAudit } from '../audit/record-audit.js';
import { Account, Person } from '../identity/entities.js';
import { Tenant } from '../tenants/entities.js';
import { type IRefreshToken, type ISession, RefreshToken, Session } from './entities.js';

/** Prefix of every refresh token: recognisable in logs and by secret scanners. */
export const REFRESH_TOKEN_PREFIX = 'ert_';
const REFRESH_TOKEN_PATTERN = /^ert_[A-Za-z0-9_-]{43}$/;

export interface RefreshTokenServiceOptions {
  orm: MikroORM;
  masterKey: Buffer;
  clock: Clock;
  random: RandomSource;
  idleTtlSeconds: number;
  absoluteTtlSeconds: number;
  graceSeconds: number;
}

export interface StartSessionInput {
  accountId: string;
  personId: string;
  tenantId: string;
  amr: string[];
  /** When a second factor was completed at this sign-in, if one was. */
  mfaAt?: Date | null;
  ip?: string | null;
  userAgent?: string | null;
}

export interface IssuedRefreshToken {
  session: ISession;
  /** The opaque token: hand it to the client once; only its SHA-256 is stored. */
  refreshToken: string;
  /** Idle expiry of this token (never past the session's absolute expiry). */
  expiresAt: Date;
}

export interface RotatedRefreshToken extends IssuedRefreshToken {
  /** True when a concurrent refresh inside the grace window got the successor already issued. */
  graceReplay: boolean;
}

export interface RotateOptions {
  /** The tenant the caller expects; a token of another tenant is refused (as `refresh_token_invalid`). */
  tenantId?: string | undefined;
  /**
   * Runs inside the rotation transaction before anything is issued (e.g. "is the account still active?").
   * Return an AppError to refuse: the session is then revoked with `reason`, and the error thrown.
   */
  check?: (em: EntityManager, session: ISession) => Promise<{ error: AppError; reason: string } | undefined>;
  ip?: string | null;
  userAgent?: string | null;
}

type Outcome = { ok: true; value: RotatedRefreshToken } | { ok: false; error: AppError };

const invalid = (detail = 'The refresh token is not valid') => new AppError('refresh_token_invalid', detail);

/**
 * Opaque refresh tokens in families (one family = one session), RFC 9700 style:
 *
 * - A token is `ert_` + 32 random bytes (base64url): 256 bits, so a plain SHA-256 is enough to store it
 *   and a lookup by hash is the comparison (nothing to brute-force, no timing oracle on a secret).
 * - Every use rotates it. The successor is derived, not random: HMAC-SHA256(K, presented token), with K
 *   derived from the master key. So a second refresh of the same token inside the grace window (two tabs,
 *   a retried request) can be given the very same successor without storing any token in a recoverable
 *   form: whoever presents the parent proves they may have the child.
 * - A used token presented again after the grace window, or after its successor was itself used, is reuse:
 *   the whole session is revoked (the live token too) and `auth.refresh_token.reused` is audited.
 * - Idle expiry per token (`idleTtlSeconds` after issue), absolute expiry per session.
 * - Rotation runs in one transaction holding `SELECT ... FOR UPDATE` on the token row, then the session
 *   row, so concurrent refreshes of a family are serialised by PostgreSQL.
 */
export class RefreshTokenService {
  readonly #o: RefreshTokenServiceOptions;
  readonly #successorKey: Buffer;

  constructor(options: RefreshTokenServiceOptions) {
    this.#o = options;
    this.#successorKey = deriveKey(options.masterKey, 'refresh-token-successor');
  }

  /** Creates a session (a new family) and its first refresh token. Pass `em` to join a transaction. */
  async startSession(input: StartSessionInput, em?: EntityManager): Promise<IssuedRefreshToken> {
    const run = async (tx: EntityManager) => {
      const now = this.#o.clock.now();
      const session = tx.create(Session, {
        id: this.#o.random.uuid(),
        account: tx.getReference(Account, input.accountId),
        tenant: tx.getReference(Tenant, input.tenantId),
        person: tx.getReference(Person, input.personId),
        amr: input.amr,
        mfaAt: input.mfaAt ?? null,
        ip: input.ip ?? null,
        userAgent: input.userAgent ?? null,
        createdAt: now,
        lastUsedAt: now,
        absoluteExpiresAt: addSeconds(now, this.#o.absoluteTtlSeconds),
        revokedAt: null,
        revokeReason: null,
      });
      const refreshToken = REFRESH_TOKEN_PREFIX + this.#o.random.bytes(32).toString('base64url');
      const row = this.#createToken(tx, session, refreshToken, null, now);
      await tx.flush();
      return { session, refreshToken, expiresAt: row.expiresAt };
    };
    return em ? run(em) : this.#em().transactional(run);
  }

  /** Rotates a refresh token. Throws AppError `refresh_token_invalid` or `refresh_token_reused`. */
  async rotate(presented: string, options: RotateOptions = {}): Promise<RotatedRefreshToken> {
    if (!REFRESH_TOKEN_PATTERN.test(presented)) throw invalid();
    // Decisions that revoke must commit, so the transaction returns them and we throw afterwards.
    const outcome = await this.#em().transactional(async (em): Promise<Outcome> => {
      const now = this.#o.clock.now();
      const token = await em.findOne(
        RefreshToken,
        { tokenHash: sha256(presented) },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!token) return { ok: false, error: invalid() };
      const session = await em.findOneOrFail(Session, token.session.id, {
        lockMode: LockMode.PESSIMISTIC_WRITE,
        refresh: true,
      });
      if (options.tenantId !== undefined && session.tenant.id !== options.tenantId) {
        return { ok: false, error: invalid() };
      }
      if (session.revokedAt) return { ok: false, error: invalid('The session has ended') };
      if (session.absoluteExpiresAt <= now) return { ok: false, error: invalid('The session has expired') };

      if (token.usedAt) return this.#replay(em, presented, token, session, now, options);

      if (token.expiresAt <= now) return { ok: false, error: invalid('The refresh token has expired') };
      const refused = await options.check?.(em, session);
      if (refused) {
        this.#revoke(session, refused.reason, now);
        return { ok: false, error: refused.error };
      }
      const successor = this.#successor(presented);
      const next = this.#createToken(em, session, successor, token.id, now);
      token.usedAt = now;
      token.replacedById = next.id;
      session.lastUsedAt = now;
      if (options.ip !== undefined) session.ip = options.ip;
      if (options.userAgent !== undefined) session.userAgent = options.userAgent;
      return {
        ok: true,
        value: { session, refreshToken: successor, expiresAt: next.expiresAt, graceReplay: false },
      };
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Ends a session: every refresh token of the family stops working. Idempotent. */
  async revokeSession(sessionId: string, reason: string, em?: EntityManager): Promise<boolean> {
    const run = async (tx: EntityManager) => {
      const session = await tx.findOne(Session, sessionId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!session || session.revokedAt) return false;
      this.#revoke(session, reason, this.#o.clock.now());
      return true;
    };
    return em ? run(em) : this.#em().transactional(run);
  }

  /** A used token again: the grace-window successor, or reuse (revoke the family). */
  async #replay(
    em: EntityManager,
    presented: string,
    token: IRefreshToken,
    session: ISession,
    now: Date,
    options: RotateOptions,
  ): Promise<Outcome> {
    const usedAt = token.usedAt!;
    const inGrace = now.getTime() - usedAt.getTime() <= this.#o.graceSeconds * 1000;
    const successor =
      inGrace && token.replacedById ? await em.findOne(RefreshToken, token.replacedById) : null;
    const plaintext = this.#successor(presented);
    if (
      successor &&
      !successor.usedAt &&
      successor.expiresAt > now &&
      successor.tokenHash === sha256(plaintext)
    ) {
      const refused = await options.check?.(em, session);
      if (refused) {
        this.#revoke(session, refused.reason, now);
        return { ok: false, error: refused.error };
      }
      session.lastUsedAt = now;
      return {
        ok: true,
        value: { session, refreshToken: plaintext, expiresAt: successor.expiresAt, graceReplay: true },
      };
    }
    this.#revoke(session, 'refresh_token_reuse', now);
    recordAudit(em, this.#o.clock, {
      action: 'auth.refresh_token.reused',
      actor: { type: 'account', id: session.account.id },
      tenantId: session.tenant.id,
      target: { type: 'session', id: session.id },
      ip: options.ip ?? null,
      userAgent: options.userAgent ?? null,
      details: {
        token_id: token.id,
        used_at: usedAt.toISOString(),
        seconds_since_use: Math.floor((now.getTime() - usedAt.getTime()) / 1000),
      },
    });
    return {
      ok: false,
      error: new AppError(
        'refresh_token_reused',
        'This refresh token was already used; the session has been ended for safety. Sign in again.',
      ),
    };
  }

  #revoke(session: ISession, reason: string, now: Date): void {
    session.revokedAt = now;
    session.revokeReason = reason;
  }

  #successor(presented: string): string {
    return REFRESH_TOKEN_PREFIX + hmacSha256(this.#successorKey, presented).toString('base64url');
  }

  #createToken(em: EntityManager, session: ISession, plaintext: string, parentId: string | null, now: Date) {
    const idle = addSeconds(now, this.#o.idleTtlSeconds).getTime();
    return em.create(RefreshToken, {
      id: this.#o.random.uuid(),
      session,
      tokenHash: sha256(plaintext),
      parentId,
      replacedById: null,
      usedAt: null,
      createdAt: now,
      expiresAt: new Date(Math.min(idle, session.absoluteExpiresAt.getTime())),
    });
  }

  #em(): EntityManager {
    return this.#o.orm.em.fork() as EntityManager;
  }
}
