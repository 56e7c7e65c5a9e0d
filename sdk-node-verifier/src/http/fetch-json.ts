/** A request to Enforcer that failed (network, status, size, JSON), reported through `onError`. */
export class SourceError extends Error {
  readonly status: number | undefined;
  /** The problem document's `code` of an error answer (`tenant_suspended`), when it sent one. */
  readonly problemCode: string | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown; problemCode?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SourceError';
    this.status = options.status;
    this.problemCode = options.problemCode;
  }
}

/** Largest error answer read for its problem `code`; a bigger one is not read at all. */
const MAX_PROBLEM_BYTES = 16 * 1024;

/** The `code` of a small problem document, or undefined. */
async function problemCodeOf(response: Response): Promise<string | undefined> {
  const type = response.headers.get('content-type') ?? '';
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (!type.startsWith('application/problem+json') || !(declared <= MAX_PROBLEM_BYTES)) {
    await response.body?.cancel();
    return undefined;
  }
  try {
    const body = JSON.parse(await response.text()) as { code?: unknown };
    return typeof body.code === 'string' ? body.code : undefined;
  } catch {
    return undefined;
  }
}

export interface JsonResponse {
  status: number;
  etag: string | null;
  /** Undefined for a 304. */
  body: unknown;
}

export interface FetchJsonOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
}

/**
 * GET a JSON document: no redirects (keys and policy come only from the configured URL), a timeout,
 * a size bound, 200 (or 304 when revalidating) only.
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await options.fetch(url, {
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': '@enforcer/node-verifier', ...options.headers },
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (cause) {
    throw new SourceError(`GET ${url} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
  const etag = response.headers.get('etag');
  if (response.status === 304) {
    await response.body?.cancel();
    return { status: 304, etag, body: undefined };
  }
  if (response.status !== 200) {
    const problemCode = await problemCodeOf(response);
    throw new SourceError(
      `GET ${url} answered ${response.status}${problemCode ? ` ${problemCode}` : ''}`,
      problemCode ? { status: response.status, problemCode } : { status: response.status },
    );
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw new SourceError(`GET ${url}: the answer is larger than ${options.maxBytes} bytes`);
  }
  const text = await response.text();
  if (Buffer.byteLength(text, 'utf8') > options.maxBytes) {
    throw new SourceError(`GET ${url}: the answer is larger than ${options.maxBytes} bytes`);
  }
  try {
    return { status: 200, etag, body: JSON.parse(text) };
  } catch (cause) {
    throw new SourceError(`GET ${url}: the answer is not JSON`, { cause });
  }
}
