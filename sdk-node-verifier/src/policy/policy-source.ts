import { type CompiledPolicy, compile, type PolicyDocument } from '@enforcer/contract/policy';
import type { Now } from '../clock';
import { VerifierError } from '../errors';
import { fetchJson, SourceError } from '../http/fetch-json';
import type { ResolvedEndpoint } from '../options';

/** The compiled policy decisions use: a document given up front, or the tenant's, fetched. */
export interface PolicySource {
  /** The current policy; throws `policy_unavailable` before the first successful fetch. */
  current(): CompiledPolicy;
  ready(): Promise<void>;
  refresh(): Promise<void>;
  close(): void;
  status(): PolicySourceStatus;
}

export interface PolicySourceStatus {
  /** `document`: given up front (never fetched); `remote`: the tenant's, fetched from `GET /policy`. */
  source: 'document' | 'remote';
  /** Whether decisions can be taken: a given document always; a remote one after its first fetch. */
  loaded: boolean;
  /** The fetched document's ETag; undefined for a given one. */
  etag: string | undefined;
  /** When the document was last fetched; undefined for a given one. */
  fetchedAt: number | undefined;
}

/** A policy document given to `createVerifier`: compiled once (an invalid one is `invalid_options`). */
export class StaticPolicy implements PolicySource {
  readonly #compiled: CompiledPolicy;

  constructor(document: PolicyDocument) {
    try {
      this.#compiled = compile(document);
    } catch (cause) {
      throw new VerifierError(
        'invalid_options',
        `the policy document does not compile: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }

  current(): CompiledPolicy {
    return this.#compiled;
  }
  async ready(): Promise<void> {}
  async refresh(): Promise<void> {}
  close(): void {}
  status(): PolicySourceStatus {
    return { source: 'document', loaded: true, etag: undefined, fetchedAt: undefined };
  }
}

export interface RemotePolicyOptions {
  endpoint: ResolvedEndpoint;
  refreshMs: number;
  autoRefresh: boolean;
  fetch: typeof fetch;
  timeoutMs: number;
  now: Now;
  onError: (error: Error) => void;
}

/**
 * The tenant's effective policy from `GET /policy` (the `effective` document: what the server's own
 * decisions use), revalidated every `refreshMs` with `If-None-Match`; compiled again only when its ETag
 * changes. When a fetch fails, or a new document does not compile, the last good policy stays.
 */
export class RemotePolicy implements PolicySource {
  readonly #o: RemotePolicyOptions;
  #compiled: CompiledPolicy | undefined;
  #etag: string | undefined;
  #fetchedAt: number | undefined;
  #inflight: Promise<void> | undefined;
  #first: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: RemotePolicyOptions) {
    this.#o = options;
  }

  start(): void {
    this.#first ??= this.#poll();
  }

  current(): CompiledPolicy {
    if (!this.#compiled) throw new VerifierError('policy_unavailable', 'the policy has not been fetched yet');
    return this.#compiled;
  }

  ready(): Promise<void> {
    this.start();
    return this.#first!;
  }

  refresh(): Promise<void> {
    return this.#inflight ?? this.#fetch();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  status(): PolicySourceStatus {
    return {
      source: 'remote',
      loaded: this.#compiled !== undefined,
      etag: this.#etag,
      fetchedAt: this.#fetchedAt,
    };
  }

  async #poll(): Promise<void> {
    await this.#fetch();
    if (this.#o.autoRefresh && !this.#closed) {
      this.#timer = setTimeout(() => void this.#poll(), this.#o.refreshMs);
      this.#timer.unref();
    }
  }

  #fetch(): Promise<void> {
    if (this.#inflight) return this.#inflight;
    const run = async () => {
      try {
        const { baseUrl, apiKey } = this.#o.endpoint;
        const url = `${baseUrl}/policy`;
        const response = await fetchJson(url, {
          fetch: this.#o.fetch,
          timeoutMs: this.#o.timeoutMs,
          maxBytes: 4 * 1024 * 1024,
          headers: { 'x-api-key': apiKey, ...(this.#etag ? { 'if-none-match': this.#etag } : {}) },
        });
        if (response.status === 200) {
          const body = response.body as { effective?: unknown; etag?: unknown } | null;
          if (typeof body !== 'object' || body === null || typeof body.effective !== 'object') {
            throw new SourceError(`GET ${url}: no effective policy document in the answer`);
          }
          const etag = typeof body.etag === 'string' ? body.etag : (response.etag ?? undefined);
          if (!this.#compiled || etag === undefined || etag !== this.#etag) {
            try {
              this.#compiled = compile(body.effective);
            } catch (cause) {
              throw new SourceError(`GET ${url}: the policy does not compile: ${(cause as Error).message}`, {
                cause,
              });
            }
            this.#etag = etag;
          }
        }
        this.#fetchedAt = this.#o.now();
      } catch (error) {
        this.#o.onError(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.#inflight = undefined;
      }
    };
    this.#inflight = run();
    return this.#inflight;
  }
}
