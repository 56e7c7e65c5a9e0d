import { type RevocationFeed as FeedPage, revocationFeedSchema } from '@enforcer/contract';
import type { Now } from '../clock';
import { VerifierError } from '../errors';
import { fetchJson, SourceError } from '../http/fetch-json';
import type { ResolvedEndpoint } from '../options';
import { RevocationState } from './revocation-state';

export interface RevocationFeedOptions {
  endpoint: ResolvedEndpoint;
  pollMs: number;
  maxStalenessMs: number;
  pageSize: number;
  /** The tenant configured by the caller; the feed's must match it. */
  tenantId: string | undefined;
  /** Added to the server's retention: a token is accepted up to this long after its `exp`. */
  clockToleranceSec: number;
  autoRefresh: boolean;
  fetch: typeof fetch;
  timeoutMs: number;
  now: Now;
  onError: (error: Error) => void;
}

/** At most this many pages per poll; the rest waits for the next poll (the cursor keeps the place). */
const MAX_PAGES_PER_SYNC = 50;

/**
 * Polls `GET /revocations` every `pollMs`: each poll reads every change since the cursor and applies
 * it to the state. Verification fails closed (`revocations_unavailable`) before the first complete
 * poll and when the last complete poll started more than `maxStalenessMs` ago; and at once, with
 * `tenant_suspended`, when the feed answers that the tenant is suspended, until a poll succeeds again.
 */
export class RevocationFeedPoller {
  readonly state = new RevocationState();
  readonly #o: RevocationFeedOptions;
  #cursor: string | undefined;
  #tenantId: string | undefined;
  #syncedAt = Number.NEGATIVE_INFINITY;
  /** The last poll was answered `403 tenant_suspended`: every token is refused until a poll succeeds. */
  #suspended = false;
  #retentionMs = 0;
  #inflight: Promise<void> | undefined;
  #first: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: RevocationFeedOptions) {
    this.#o = options;
  }

  /** The tenant the feed (that is, the API key) belongs to, once known. */
  get tenantId(): string | undefined {
    return this.#tenantId;
  }

  start(): void {
    this.#first ??= this.#poll();
  }

  ready(): Promise<void> {
    this.start();
    return this.#first!;
  }

  /** Polls now (shares a poll in flight). */
  sync(): Promise<void> {
    return this.#inflight ?? this.#sync();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  /**
   * Throws `tenant_suspended` while the feed says the tenant is suspended, else `revocations_unavailable`
   * unless a complete poll started within `maxStalenessMs`.
   */
  assertFresh(nowMs: number): void {
    if (this.#suspended) {
      throw new VerifierError('tenant_suspended', "the deployment's operator suspended this tenant");
    }
    if (nowMs - this.#syncedAt > this.#o.maxStalenessMs) {
      throw new VerifierError(
        'revocations_unavailable',
        Number.isFinite(this.#syncedAt)
          ? 'the revocation feed has not been read for too long'
          : 'the revocation feed has not been read yet',
      );
    }
  }

  status() {
    return {
      tenantId: this.#tenantId,
      syncedAt: Number.isFinite(this.#syncedAt) ? this.#syncedAt : undefined,
      sessions: this.state.sessions.size,
      accounts: this.state.accounts.size,
    };
  }

  async #poll(): Promise<void> {
    await this.sync();
    if (this.#o.autoRefresh && !this.#closed) {
      this.#timer = setTimeout(() => void this.#poll(), this.#o.pollMs);
      this.#timer.unref();
    }
  }

  #sync(): Promise<void> {
    const run = async () => {
      const startedAt = this.#o.now();
      try {
        for (let pages = 0; pages < MAX_PAGES_PER_SYNC; pages++) {
          const page = await this.#fetchPage();
          this.state.apply(page, this.#o.now());
          this.#cursor = page.next_cursor;
          this.#retentionMs = (page.retention_seconds + this.#o.clockToleranceSec) * 1000;
          if (!page.has_more) {
            this.#syncedAt = startedAt;
            break;
          }
        }
        this.#suspended = false;
        this.state.prune(this.#o.now(), this.#retentionMs);
      } catch (error) {
        // The tenant suspended is an answer, not an outage: refuse its tokens now, not after maxStaleness.
        if (
          error instanceof SourceError &&
          error.status === 403 &&
          error.problemCode === 'tenant_suspended'
        ) {
          this.#suspended = true;
        }
        this.#o.onError(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.#inflight = undefined;
      }
    };
    this.#inflight = run();
    return this.#inflight;
  }

  async #fetchPage(): Promise<FeedPage> {
    const { baseUrl, apiKey } = this.#o.endpoint;
    const query = new URLSearchParams({ limit: String(this.#o.pageSize) });
    if (this.#cursor) query.set('cursor', this.#cursor);
    const url = `${baseUrl}/revocations?${query}`;
    const { body } = await fetchJson(url, {
      fetch: this.#o.fetch,
      timeoutMs: this.#o.timeoutMs,
      maxBytes: 16 * 1024 * 1024,
      headers: { 'x-api-key': apiKey },
    });
    const parsed = revocationFeedSchema.safeParse(body);
    if (!parsed.success) throw new SourceError(`GET ${url}: the answer does not match the contract`);
    const page = parsed.data;
    const expected = this.#o.tenantId ?? this.#tenantId;
    if (expected !== undefined && page.tenant_id !== expected) {
      throw new SourceError(
        `GET ${url}: the API key belongs to tenant ${page.tenant_id}, not to the configured tenant ${expected}`,
      );
    }
    this.#tenantId = page.tenant_id;
    return page;
  }
}
