import type { Principal, PrincipalSlots } from './principal';

export interface CachedToken {
  principal: Principal & PrincipalSlots;
  /** `exp`, epoch seconds. */
  exp: number;
  kid: string;
}

/**
 * Tokens already verified, keyed by the full token string, so the same token presented again costs a
 * map lookup instead of a signature check. Bounded: past `maxEntries` the oldest entry goes. Only the
 * verification is remembered; expiry, revocation and the grant are checked again on every use.
 */
export class TokenCache {
  readonly #entries = new Map<string, CachedToken>();
  readonly #max: number;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get(token: string): CachedToken | undefined {
    return this.#entries.get(token);
  }

  set(token: string, entry: CachedToken): void {
    if (this.#max === 0) return;
    if (this.#entries.size >= this.#max && !this.#entries.has(token)) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(token, entry);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  /** Forgets the tokens signed by these keys (they left the JWKS). */
  forgetKeys(kids: readonly string[]): void {
    for (const [token, entry] of this.#entries) if (kids.includes(entry.kid)) this.#entries.delete(token);
  }

  get size(): number {
    return this.#entries.size;
  }
}
