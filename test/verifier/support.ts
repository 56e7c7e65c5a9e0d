// A real Enforcer server (@enforcer/server/testing's, on a real PostgreSQL, listening on loopback) with a
// provisioned tenant, accounts with sessions started directly and an API key minted by POST /api-keys:
// everything the verifier suites need, with tokens minted by the server's own code.
import {
  type ClientPrincipal,
  createVerifier,
  type Principal,
  type Verifier,
  type VerifierOptions,
} from '@enforcer/node-verifier';
import { ManualClock, startTestServer, type TestServer } from '@enforcer/server/testing';
import { afterAll } from 'vitest';

export interface Member {
  accountId: string;
  personId: string;
  sessionId: string;
  token: string;
  refreshToken: string;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read bodies loosely, then assert on them
  body: any;
}

export interface Enforcer {
  /** The running server (@enforcer/server/testing): signing keys, sessions, its database. */
  server: TestServer;
  /** The test database (for raw connections). */
  dbUrl: string;
  clock: ManualClock;
  origin: string;
  /** `<origin>/api/v1/enforcer` */
  baseUrl: string;
  jwksUri: string;
  issuer: string;
  audience: string;
  tenantId: string;
  /** An API key of the tenant (role admin), minted with POST /api-keys. */
  apiKey: string;
  owner: Member;
  /** Every request the server received, as `METHOD /path?query`. */
  requests: string[];
  addAccount(role?: string): Promise<Member>;
  signIn(accountId: string): Promise<Member>;
  api(
    method: string,
    path: string,
    options?: { token?: string; apiKey?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiAnswer>;
  /** A verifier pointed at this server (closed after the file). */
  verifier(options?: Partial<VerifierOptions>): Verifier;
  /** The same, accepting applications' tokens too (`acceptClientTokens`). */
  clientVerifier(options?: Partial<VerifierOptions>): Verifier<Principal | ClientPrincipal>;
  /**
   * Registers an application (`POST /applications`, by the owner) and returns a way to get its tokens
   * (`POST /oauth/token`, client credentials with its secret).
   */
  addApplication(scopes: string[]): Promise<{ id: string; clientId: string; token(): Promise<string> }>;
}

/** Starts Enforcer for one test file; everything is closed after the file. */
export async function startEnforcer(env: Record<string, string> = {}): Promise<Enforcer> {
  const clock = new ManualClock(Date.now());
  const server = await startTestServer({ env, clock });
  const { baseUrl, origin, config } = server;
  const verifiers: { close(): void }[] = [];
  afterAll(async () => {
    for (const verifier of verifiers) verifier.close();
    await server.close();
  });

  const api: Enforcer['api'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };

  const tenant = await server.db.seedTenant({ name: 'Verifier Bank' });
  const signIn = async (accountId: string): Promise<Member> => {
    const session = await server.signIn({ accountId, amr: ['otp'] });
    return {
      accountId,
      personId: session.personId,
      sessionId: session.sessionId,
      token: session.accessToken,
      refreshToken: session.refreshToken,
    };
  };
  const addAccount = async (role = 'member'): Promise<Member> => {
    const account = await server.db.seedAccount({ tenantId: tenant.id, role });
    return signIn(account.accountId);
  };
  const owner = await addAccount('owner');
  const created = await api('POST', '/api-keys', { token: owner.token, body: { name: 'verifier' } });
  if (created.status !== 201)
    throw new Error(`POST /api-keys: ${created.status} ${JSON.stringify(created.body)}`);

  const enforcer: Enforcer = {
    server,
    dbUrl: server.db.url,
    clock,
    origin,
    baseUrl,
    jwksUri: `${baseUrl}/.well-known/jwks.json`,
    issuer: config.issuer,
    audience: config.audience,
    tenantId: tenant.id,
    apiKey: created.body.key,
    owner,
    requests: server.requests,
    addAccount,
    signIn,
    api,
    verifier: (options = {}) => {
      const verifier = createVerifier({
        issuer: config.issuer,
        audience: config.audience,
        jwksUri: `${baseUrl}/.well-known/jwks.json`,
        policy: { baseUrl, apiKey: created.body.key },
        now: () => clock.now().getTime(),
        ...options,
      });
      verifiers.push(verifier);
      return verifier;
    },
    clientVerifier: (options = {}) => {
      const verifier = createVerifier({
        issuer: config.issuer,
        audience: config.audience,
        jwksUri: `${baseUrl}/.well-known/jwks.json`,
        policy: { baseUrl, apiKey: created.body.key },
        now: () => clock.now().getTime(),
        ...options,
        acceptClientTokens: true,
      });
      verifiers.push(verifier);
      return verifier;
    },
    addApplication: async (scopes) => {
      const app = await api('POST', '/applications', {
        token: owner.token,
        body: { name: `app-${scopes.length}`, scopes },
      });
      if (app.status !== 201)
        throw new Error(`POST /applications: ${app.status} ${JSON.stringify(app.body)}`);
      const basic = Buffer.from(`${app.body.client_id}:${app.body.client_secret}`).toString('base64');
      return {
        id: app.body.id,
        clientId: app.body.client_id,
        token: async () => {
          const answer = await fetch(`${baseUrl}/oauth/token`, {
            method: 'POST',
            headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
            body: 'grant_type=client_credentials',
          });
          const body = (await answer.json()) as { access_token?: string };
          if (!body.access_token)
            throw new Error(`POST /oauth/token: ${answer.status} ${JSON.stringify(body)}`);
          return body.access_token;
        },
      };
    },
  };
  return enforcer;
}

/** Polls `check` until it passes (for effects that arrive with the next poll), failing after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000, stepMs = 10): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
  }
}
