import { type PageRequest, pageInMemory } from '../../pagination.js';
import type {
  FamilyTransaction,
  RefreshTokenRecord,
  SessionOwner,
  SessionRecord,
  SessionStore,
} from '../../sessions/ports.js';
import type { MemoryDatabase } from './database.js';

/**
 * Sessions and refresh tokens in the memory database's `sessions` and `refreshTokens` tables (so a failed
 * unit of work restores them with the rest). `withFamily` runs in the database's queue, one unit of work
 * like any other (a queue stands in for the row locks), so it must not be called from inside one (units of
 * work never nest); its writes are buffered and applied only when the work returns, so a throwing work
 * leaves nothing behind, as a rolled-back transaction would. The other calls write at once: inside a unit
 * of work they are part of it.
 */
export class MemorySessionStore implements SessionStore {
  readonly #db: MemoryDatabase;
  readonly #onRevoke: ((session: SessionRecord) => void) | undefined;

  /** `onRevoke` hears of every session this store ends (the revocation feed). */
  constructor(db: MemoryDatabase, options: { onRevoke?: (session: SessionRecord) => void } = {}) {
    this.#db = db;
    this.#onRevoke = options.onRevoke;
  }

  /** The live table (the mock's routes read and write sessions through it). */
  get sessions(): Map<string, SessionRecord> {
    return this.#db.tables.sessions;
  }

  get #tokens(): Map<string, RefreshTokenRecord> {
    return this.#db.tables.refreshTokens;
  }

  async insertSession(session: SessionRecord, token: RefreshTokenRecord): Promise<void> {
    if (this.sessions.has(session.id)) throw new Error(`Session ${session.id} exists`);
    this.#assertNewToken(token);
    this.sessions.set(session.id, { ...session });
    this.#putToken(token);
  }

  async insertBearerSession(session: SessionRecord): Promise<void> {
    if (!this.sessions.has(session.id)) this.sessions.set(session.id, { ...session });
  }

  withFamily<T>(tokenHash: string, work: (family: FamilyTransaction) => Promise<T>): Promise<T | undefined> {
    // `read`: the queue without a snapshot, which the buffered writes do not need.
    return this.#db.read(() => this.#family(tokenHash, work));
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const session = this.sessions.get(id);
    return session ? { ...session } : null;
  }

  async findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const id = this.#db.tables.refreshTokenIds.get(tokenHash);
    return id ? this.findSession(this.#tokens.get(id)!.sessionId) : null;
  }

  async stepUp(id: string, amr: readonly string[], mfaAt: Date): Promise<SessionRecord | null> {
    const session = this.sessions.get(id);
    if (!session || session.revokedAt) return null;
    // In place, as `withFamily` writes: callers of the mock hold the session object.
    session.amr = [...new Set([...session.amr, ...amr])];
    session.mfaAt = mfaAt;
    return { ...session, amr: [...session.amr] };
  }

  async revokeSession(id: string, reason: string, at: Date): Promise<boolean> {
    return this.revoke(id, reason, at);
  }

  async revokeOfPerson(personId: string, reason: string, at: Date): Promise<number> {
    let ended = 0;
    for (const session of this.sessions.values()) {
      if (session.personId === personId && this.revoke(session.id, reason, at)) ended++;
    }
    return ended;
  }

  async listLive(owner: SessionOwner, request: PageRequest & { now: Date }): Promise<SessionRecord[]> {
    const mine = (s: SessionRecord) =>
      'personId' in owner ? s.personId === owner.personId : s.accountId === owner.accountId;
    const live = [...this.sessions.values()].filter(
      (s) => mine(s) && !s.revokedAt && s.absoluteExpiresAt > request.now,
    );
    return pageInMemory(live, request, () => ({})).map((s) => ({ ...s, amr: [...s.amr] }));
  }

  async userAgentsOf(accountId: string, limit: number): Promise<(string | null)[]> {
    const latest = new Map<string | null, number>();
    for (const s of this.sessions.values()) {
      if (s.accountId !== accountId) continue;
      const at = s.createdAt.getTime();
      if ((latest.get(s.userAgent) ?? -Infinity) < at) latest.set(s.userAgent, at);
    }
    return [...latest.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([agent]) => agent);
  }

  /** `revokeSession` without the promise, for callers that hold no transaction (the mock's routes). */
  revoke(id: string, reason: string, at: Date): boolean {
    const session = this.sessions.get(id);
    if (!session || session.revokedAt) return false;
    session.revokedAt = at;
    session.revokeReason = reason;
    this.#onRevoke?.(session);
    return true;
  }

  async #family<T>(
    tokenHash: string,
    work: (family: FamilyTransaction) => Promise<T>,
  ): Promise<T | undefined> {
    const id = this.#db.tables.refreshTokenIds.get(tokenHash);
    if (!id) return undefined;
    const token = { ...this.#tokens.get(id)! };
    const session = { ...this.sessions.get(token.sessionId)! };
    const inserted = new Map<string, RefreshTokenRecord>();
    const used = new Map<string, { usedAt: Date; replacedById: string }>();
    const family: FamilyTransaction = {
      token,
      session,
      findToken: async (tokenId) => {
        const found = inserted.get(tokenId) ?? this.#tokens.get(tokenId);
        return found ? { ...found, ...used.get(tokenId) } : null;
      },
      insertToken: async (next) => {
        this.#assertNewToken(next);
        if ([...inserted.values()].some((t) => t.tokenHash === next.tokenHash)) {
          throw new Error('A refresh token with this hash exists');
        }
        inserted.set(next.id, { ...next });
      },
      markUsed: async (tokenId, usedAt, replacedById) => {
        used.set(tokenId, { usedAt, replacedById });
        if (tokenId === token.id) Object.assign(token, { usedAt, replacedById });
      },
      updateSession: async (changes) => {
        Object.assign(session, changes);
      },
    };
    const result = await work(family);
    // Commit: the work returned, so its writes are applied all together.
    for (const next of inserted.values()) this.#putToken(next);
    for (const [tokenId, change] of used) Object.assign(this.#tokens.get(tokenId)!, change);
    // Read again: the table is the one now current.
    const stored = this.sessions.get(token.sessionId)!;
    const revoked = session.revokedAt && !stored.revokedAt;
    // In place: callers of the mock hold the session object (a principal's session).
    Object.assign(stored, session);
    if (revoked) this.#onRevoke?.(stored);
    return result;
  }

  #assertNewToken(token: RefreshTokenRecord): void {
    if (this.#tokens.has(token.id) || this.#db.tables.refreshTokenIds.has(token.tokenHash)) {
      throw new Error('A refresh token with this id or hash exists');
    }
  }

  #putToken(token: RefreshTokenRecord): void {
    this.#tokens.set(token.id, { ...token });
    this.#db.tables.refreshTokenIds.set(token.tokenHash, token.id);
  }
}
