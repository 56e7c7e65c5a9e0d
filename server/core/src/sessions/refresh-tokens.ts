import {
  addSeconds,
  base64url,
  type Clock,
  type Hashing,
  type RandomSource,
  webCryptoHashing,
} from '../platform.js';
import { type Refusal, type Result, refuse, success } from '../result.js';
import type { FamilyTransaction, RefreshTokenRecord, SessionRecord, SessionStore } from './ports.js';

/** Prefix of every refresh token: recognisable in logs and by secret scanners. */
export const REFRESH_TOKEN_PREFIX = 'ert_';
const REFRESH_TOKEN_PATTERN = /^ert_[A-Za-z0-9_-]{43}$/;

export interface RefreshTokenServiceOptions {
  store: SessionStore;
  clock: Clock;
  random: RandomSource;
  hashing?: Hashing;
  /** HMAC key of derived successors (the server derives it from its master key). */
  successorKey: Uint8Array;
  idleTtlSeconds: number;
  absoluteTtlSeconds: number;
  graceSeconds: number;
  /** Told after a replayed token revoked its family (the server audits it). */
  onReuse?: (event: ReuseEvent) => Promise<void>;
}

export interface ReuseEvent {
  session: SessionRecord;
  tokenId: string;
  usedAt: Date;
  at: Date;
  ip: string | null;
  userAgent: string | null;
}

export interface StartSessionInput {
  accountId: string;
  personId: string;
  tenantId: string;
  amr: string[];
  mfaAt?: Date | null;
  ip?: string | null;
  userAgent?: string | null;
}

export interface IssuedRefreshToken {
  session: SessionRecord;
  /** The opaque token: hand it to the client once; only its SHA-256 is stored. */
  refreshToken: string;
  /** Idle expiry of this token (never past the session's absolute expiry). */
  expiresAt: Date;
}

export interface RotatedRefreshToken extends IssuedRefreshToken {
  /** True when a concurrent refresh inside the grace window got the successor already issued. */
  graceReplay: boolean;
}

/** A refusal that also ends the session, with the reason stored on it. */
export interface RevokingRefusal extends Refusal {
  reason: string;
}

export interface RotateOptions {
  /** The tenant the caller expects; a token of another tenant is refused (as `refresh_token_invalid`). */
  tenantId?: string | undefined;
  /**
   * Asked once the rotation is decided (e.g. "is the account still active?"), outside the family's
   * transaction so it may read other stores; a refusal revokes the session with its `reason`.
   */
  check?: (session: SessionRecord) => Promise<RevokingRefusal | undefined>;
  ip?: string | null;
  userAgent?: string | null;
}

type Rotation = Result<RotatedRefreshToken>;
type RotationOutcome = Rotation | (Refusal & { reuse: ReuseEvent });

const invalid = (detail = 'The refresh token is not valid') => refuse('refresh_token_invalid', detail);

/**
 * Opaque refresh tokens in families (one family = one session), RFC 9700 style:
 *
 * - A token is `ert_` + 32 random bytes (base64url): 256 bits, so a plain SHA-256 is enough to store it
 *   and a lookup by hash is the comparison (nothing to brute-force, no timing oracle on a secret).
 * - Every use rotates it. The successor is derived, not random: HMAC-SHA256(K, presented token). So a
 *   second refresh of the same token inside the grace window (two tabs, a retried request) can be given
 *   the very same successor without storing any token in a recoverable form: whoever presents the parent
 *   proves they may have the child.
 * - A used token presented again after the grace window, or after its successor was itself used, is reuse:
 *   the whole session is revoked (the live token too).
 * - Idle expiry per token (`idleTtlSeconds` after issue), absolute expiry per session.
 * - Rotation runs in the store's `withFamily` transaction, so concurrent refreshes of one family are
 *   decided one after the other.
 */
export class RefreshTokenService {
  readonly #o: RefreshTokenServiceOptions;
  readonly #hashing: Hashing;

  constructor(options: RefreshTokenServiceOptions) {
    this.#o = options;
    this.#hashing = options.hashing ?? webCryptoHashing;
  }

  /** Creates a session (a new family) and its first refresh token; `store` joins a caller's transaction. */
  async startSession(input: StartSessionInput, store = this.#o.store): Promise<IssuedRefreshToken> {
    const now = this.#o.clock.now();
    const session: SessionRecord = {
      id: this.#o.random.uuid(),
      accountId: input.accountId,
      personId: input.personId,
      tenantId: input.tenantId,
      amr: input.amr,
      mfaAt: input.mfaAt ?? null,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      createdAt: now,
      lastUsedAt: now,
      absoluteExpiresAt: addSeconds(now, this.#o.absoluteTtlSeconds),
      revokedAt: null,
      revokeReason: null,
    };
    const refreshToken = REFRESH_TOKEN_PREFIX + base64url(this.#o.random.bytes(32));
    const token = this.#tokenRecord(session, await this.#hashing.sha256(refreshToken), null, now);
    await store.insertSession(session, token);
    return { session, refreshToken, expiresAt: token.expiresAt };
  }

  /** Rotates a refresh token; refuses with `refresh_token_invalid`, `refresh_token_reused` or a check's code. */
  async rotate(presented: string, options: RotateOptions = {}): Promise<Rotation> {
    if (!REFRESH_TOKEN_PATTERN.test(presented)) return invalid();
    // Hashed before the transaction: nothing slow happens while the family is locked.
    const hash = await this.#hashing.sha256(presented);
    const successor =
      REFRESH_TOKEN_PREFIX + (await this.#hashing.hmacSha256(this.#o.successorKey, presented));
    const successorHash = await this.#hashing.sha256(successor);
    const outcome = await this.#o.store.withFamily(hash, async (family): Promise<RotationOutcome> => {
      const now = this.#o.clock.now();
      const { token, session } = family;
      if (options.tenantId !== undefined && session.tenantId !== options.tenantId) return invalid();
      if (session.revokedAt) return invalid('The session has ended');
      if (session.absoluteExpiresAt <= now) return invalid('The session has expired');
      if (token.usedAt) return this.#replay(family, successor, successorHash, now, options);
      if (token.expiresAt <= now) return invalid('The refresh token has expired');
      const next = this.#tokenRecord(session, successorHash, token.id, now);
      await family.insertToken(next);
      await family.markUsed(token.id, now, next.id);
      await family.updateSession({
        lastUsedAt: now,
        ...(options.ip !== undefined && { ip: options.ip }),
        ...(options.userAgent !== undefined && { userAgent: options.userAgent }),
      });
      return success({
        session: family.session,
        refreshToken: successor,
        expiresAt: next.expiresAt,
        graceReplay: false,
      });
    });
    if (!outcome) return invalid();
    if ('reuse' in outcome) {
      await this.#o.onReuse?.(outcome.reuse);
      return refuse(outcome.code, outcome.detail);
    }
    if (!outcome.ok) return outcome;
    const refused = await options.check?.(outcome.value.session);
    if (refused) {
      await this.#o.store.revokeSession(outcome.value.session.id, refused.reason, this.#o.clock.now());
      return refuse(refused.code, refused.detail);
    }
    return outcome;
  }

  /** The session of a refresh token (used or not), or null. */
  async sessionOf(presented: string): Promise<SessionRecord | null> {
    const hash = await this.hashOf(presented);
    return hash ? this.#o.store.findSessionByTokenHash(hash) : null;
  }

  /** The hash a refresh token is stored by, or null when `presented` cannot be one of ours. */
  async hashOf(presented: string): Promise<string | null> {
    if (!REFRESH_TOKEN_PATTERN.test(presented)) return null;
    return this.#hashing.sha256(presented);
  }

  /** Ends a session: every refresh token of the family stops working. Idempotent. */
  revokeSession(sessionId: string, reason: string, store = this.#o.store): Promise<boolean> {
    return store.revokeSession(sessionId, reason, this.#o.clock.now());
  }

  /** A used token again: the grace-window successor, or reuse (revoke the family). */
  async #replay(
    family: FamilyTransaction,
    successor: string,
    successorHash: string,
    now: Date,
    options: RotateOptions,
  ): Promise<RotationOutcome> {
    const { token } = family;
    const usedAt = token.usedAt!;
    const inGrace = now.getTime() - usedAt.getTime() <= this.#o.graceSeconds * 1000;
    const next = inGrace && token.replacedById ? await family.findToken(token.replacedById) : null;
    if (next && !next.usedAt && next.expiresAt > now && next.tokenHash === successorHash) {
      await family.updateSession({ lastUsedAt: now });
      return success({
        session: family.session,
        refreshToken: successor,
        expiresAt: next.expiresAt,
        graceReplay: true,
      });
    }
    await family.updateSession({ revokedAt: now, revokeReason: 'refresh_token_reuse' });
    return {
      ...refuse(
        'refresh_token_reused',
        'This refresh token was already used; the session has been ended for safety. Sign in again.',
      ),
      reuse: {
        session: family.session,
        tokenId: token.id,
        usedAt,
        at: now,
        ip: options.ip ?? null,
        userAgent: options.userAgent ?? null,
      },
    };
  }

  #tokenRecord(
    session: SessionRecord,
    tokenHash: string,
    parentId: string | null,
    now: Date,
  ): RefreshTokenRecord {
    const idle = addSeconds(now, this.#o.idleTtlSeconds).getTime();
    return {
      id: this.#o.random.uuid(),
      sessionId: session.id,
      tokenHash,
      parentId,
      replacedById: null,
      usedAt: null,
      createdAt: now,
      expiresAt: new Date(Math.min(idle, session.absoluteExpiresAt.getTime())),
    };
  }
}
