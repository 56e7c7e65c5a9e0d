// A real Enforcer server over HTTP on a real PostgreSQL, for end-to-end tests: @enforcer/server/testing's
// server with a fetch client bound to it, closed after the file.
import {
  type TestServer as StartedServer,
  type StartTestServerOptions,
  startTestServer,
} from '@enforcer/server/testing';
import { afterAll } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely, then assert on them
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON (problem documents included), the text when it is not JSON, undefined when empty. */
  body: T;
}

export interface ApiOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (with `contentType`, default application/json): for malformed-input tests. */
  raw?: string;
  contentType?: string;
  /** A user access token: `Authorization: Bearer`. */
  token?: string;
  /** An API key: `X-API-Key`. */
  apiKey?: string;
  headers?: Record<string, string>;
}

// biome-ignore lint/suspicious/noExplicitAny: see ApiResponse
export type Api = <T = any>(method: string, path: string, options?: ApiOptions) => Promise<ApiResponse<T>>;

export interface TestServer extends StartedServer {
  /** `api('POST', '/auth/login', { body })`: paths are relative to the base path. */
  api: Api;
}

export type StartServerOptions = StartTestServerOptions;

/** A fetch helper bound to a base URL. */
export function apiClient(baseUrl: string): Api {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    let payload: string | undefined;
    if (options.raw !== undefined) {
      payload = options.raw;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let body: unknown = text === '' ? undefined : text;
    if (text !== '' && /json/.test(response.headers.get('content-type') ?? '')) body = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: body as never };
  };
}

/**
 * Starts a server (`startTestServer`: a migrated test database unless `shareDatabaseWith`, a test
 * configuration, signing keys, a free loopback port). Closed after the file (or call `close()` earlier).
 * Passwords are hashed at the smallest argon2id cost unless `passwordHashing: 'production'`
 * (test/e2e/auth-password.test.ts checks the server's parameters that way).
 */
export async function startServer(options: StartServerOptions = {}): Promise<TestServer> {
  const started = await startTestServer({ passwordHashing: 'fast', ...options });
  const server: TestServer = Object.assign(started, { api: apiClient(started.baseUrl) });
  afterAll(() => server.close());
  return server;
}
