/** What a verified token's entry must carry: when it expires and which key signed it. */
export interface VerifiedTokenEntry {
  /** `exp`, epoch seconds. */
  exp: number;
  kid: string;
}

/**
 * Tokens whose signature and claims were already checked, keyed by the full token string, so the same
 * token presented again costs a map lookup instead of an ECDSA verification (most of a decision's CPU).
 * The server's access-token verification and the Node verifier share it. Only the verification is
 * remembered: the user checks expiry (and that the key is still published) on every hit, and everything
 * about the session (revocation, grant) as before. Bounded: past `maxEntries` the oldest entry goes.
 */
export class VerifiedTokenCache<E extends VerifiedTokenEntry> {
  readonly #entries = new Map<string, E>();
  readonly #max: number;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get(token: string): E | undefined {
    return this.#entries.get(token);
  }

  set(token: string, entry: E): void {
    if (this.#max === 0) return;
    if (this.#entries.size >= this.#max && !this.#entries.has(token)) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(token, entry);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  /** Forgets the tokens signed by these keys (they left the key set). */
  forgetKeys(kids: readonly string[]): void {
    for (const [token, entry] of this.#entries) if (kids.includes(entry.kid)) this.#entries.delete(token);
  }

  get size(): number {
    return this.#entries.size;
  }
}
