// A real Enforcer server over HTTP on a real PostgreSQL, for end-to-end tests.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';
import { buildApp } from '../../server/src/app.js';
import type { Clock } from '../../server/src/lib/clock.js';
import type { RandomSource } from '../../server/src/lib/random.js';
import { createTestOrm, testConfig } from '../../server/src/testing/index.js';

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

export interface TestServer {
  /** `http://127.0.0.1:<port>/api/v1/enforcer` */
  baseUrl: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  app: FastifyInstance;
  orm: MikroORM;
  /** `api('POST', '/auth/login', { body })`: paths are relative to the base path. */
  api: Api;
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Environment overrides for the server's configuration (`NODE_ENV` is `test` unless set). */
  env?: Record<string, string>;
  clock?: Clock;
  random?: RandomSource;
  /** Share a database with another server of the same file; default: a fresh migrated database. */
  orm?: MikroORM;
}

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
 * Starts a server: a migrated test database (unless `orm` is given), `buildApp` with a test
 * configuration, signing keys, and `listen` on a free loopback port. Closed after the file
 * (or call `close()` earlier).
 */
export async function startServer(options: StartServerOptions = {}): Promise<TestServer> {
  const db = options.orm ? undefined : await createTestOrm();
  const orm = options.orm ?? db!.orm;
  const config = testConfig(options.env);
  const app = buildApp(config, {
    orm,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  await app.services.keys.ensureKeys();
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `${origin}/api/v1/enforcer`;
  let closed: Promise<void> | undefined;
  const server: TestServer = {
    baseUrl,
    origin,
    app,
    orm,
    api: apiClient(baseUrl),
    close: () => {
      closed ??= (async () => {
        await app.close();
        await db?.close();
      })();
      return closed;
    },
  };
  afterAll(() => server.close());
  return server;
}
