import type {
  FamilyTransaction,
  RefreshTokenRecord,
  SessionRecord,
  SessionStore,
} from '../../sessions/ports.js';

/**
 * Sessions and refresh tokens in Maps. `withFamily` calls run one at a time (a queue stands in for the
 * row locks), and their writes are buffered and applied only when the work returns, so a throwing work
 * leaves nothing behind, as a rolled-back transaction would.
 */
export class MemorySessionStore implements SessionStore {
  readonly sessions = new Map<string, SessionRecord>();
  readonly #tokens = new Map<string, RefreshTokenRecord>();
  readonly #idByHash = new Map<string, string>();
  readonly #onRevoke: ((session: SessionRecord) => void) | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** `onRevoke` hears of every session this store ends (the mock's revocation feed). */
  constructor(options: { onRevoke?: (session: SessionRecord) => void } = {}) {
    this.#onRevoke = options.onRevoke;
  }

  async insertSession(session: SessionRecord, token: RefreshTokenRecord): Promise<void> {
    if (this.sessions.has(session.id)) throw new Error(`Session ${session.id} exists`);
    this.#assertNewToken(token);
    this.sessions.set(session.id, { ...session });
    this.#putToken(token);
  }

  withFamily<T>(tokenHash: string, work: (family: FamilyTransaction) => Promise<T>): Promise<T | undefined> {
    const run = this.#queue.then(() => this.#family(tokenHash, work));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const session = this.sessions.get(id);
    return session ? { ...session } : null;
  }

  async findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const id = this.#idByHash.get(tokenHash);
    return id ? this.findSession(this.#tokens.get(id)!.sessionId) : null;
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

  /** `revokeSession` without the promise, for callers that hold no transaction (the mock's routes). */
  revoke(id: string, reason: string, at: Date): boolean {
    const session = this.sessions.get(id);
    if (!session || session.revokedAt) return false;
    session.revokedAt = at;
    session.revokeReason = reason;
    this.#onRevoke?.(session);
    return true;
  }

  /** Empties the store (the mock's reset). */
  clear(): void {
    this.sessions.clear();
    this.#tokens.clear();
    this.#idByHash.clear();
  }

  async #family<T>(
    tokenHash: string,
    work: (family: FamilyTransaction) => Promise<T>,
  ): Promise<T | undefined> {
    const id = this.#idByHash.get(tokenHash);
    if (!id) return undefined;
    const token = { ...this.#tokens.get(id)! };
    const stored = this.sessions.get(token.sessionId)!;
    const session = { ...stored };
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
    const revoked = session.revokedAt && !stored.revokedAt;
    // In place: callers of the mock hold the session object (a principal's session).
    Object.assign(stored, session);
    if (revoked) this.#onRevoke?.(stored);
    return result;
  }

  #assertNewToken(token: RefreshTokenRecord): void {
    if (this.#tokens.has(token.id) || this.#idByHash.has(token.tokenHash)) {
      throw new Error('A refresh token with this id or hash exists');
    }
  }

  #putToken(token: RefreshTokenRecord): void {
    this.#tokens.set(token.id, { ...token });
    this.#idByHash.set(token.tokenHash, token.id);
  }
}
