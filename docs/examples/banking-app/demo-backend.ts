// The demo's "backend", run inside Vite's dev (and preview) server. It plays the part your own
// server plays in production: it holds the tenants' API keys (which never reach the browser) and
// configures the banks with them.
//
// On first use it provisions two banks on the Enforcer server (self-serve, proven with the
// development server's one-time codes) and an API key for each, and keeps them in a state file so
// later starts reuse them. At every start it switches each bank's KYC module on with the development
// provider (`PUT /tenants/{id}/modules/kyc`) and, when an OpenID Provider is given (`oidc`), registers it
// with this app's callback URL on the redirect allow-list (`PUT /tenants/{id}/oauth`).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { Connect, Plugin } from 'vite';

export interface DemoBackendOptions {
  /** Enforcer's origin, e.g. `http://127.0.0.1:8080`. */
  enforcerUrl: string;
  /** Where the provisioned tenants and their API keys are kept between starts. */
  stateFile: string;
  /** An OpenID Provider for "Sign in with …" (the button shows only when one is given). */
  oidc?: DemoOidcProvider | undefined;
}

/** A generic OpenID Connect provider, as `PUT /tenants/{id}/oauth` takes it (`kind: "oidc"`). */
export interface DemoOidcProvider {
  /** The issuer; `<issuer>/.well-known/openid-configuration` describes it. */
  issuer: string;
  clientId: string;
  /** Null for a public client (PKCE only, `token_endpoint_auth: none`). */
  clientSecret: string | null;
  /** What the button says: "Sign in with <label>". */
  label: string;
}

/** The tenant's name for the provider (the flow's paths: `/auth/oauth/oidc/...`). */
export const OIDC_PROVIDER_NAME = 'oidc';
/** Where the provider's flow sends the browser back (this app; on the tenants' redirect allow-list). */
export const OAUTH_CALLBACK_PATH = '/oauth/callback';

interface DemoTenant {
  id: string;
  code: string;
  name: string;
  apiKey: string;
}

interface DemoState {
  enforcerUrl: string;
  tenants: DemoTenant[];
}

/** The person who owns the demo banks (their staff account, not a customer). */
const BANK_OWNER = 'owner@northwind-bank.example.com';
const BANKS = ['Northwind Bank', 'Northwind Business'];
const API = '/api/v1/enforcer';

class EnforcerCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: ${status} ${JSON.stringify(body)}`);
  }
}

export function demoBackend(options: DemoBackendOptions): Plugin {
  const base = `${options.enforcerUrl.replace(/\/$/, '')}${API}`;

  const call = async <T>(
    what: string,
    method: string,
    path: string,
    init: { body?: unknown; token?: string; apiKey?: string } = {},
  ): Promise<{ status: number; body: T }> => {
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.apiKey) headers['x-api-key'] = init.apiKey;
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    const body = (text ? JSON.parse(text) : undefined) as T;
    if (!response.ok) throw new EnforcerCallError(response.status, body, what);
    return { status: response.status, body };
  };

  const readState = (): DemoState | null => {
    if (!existsSync(options.stateFile)) return null;
    try {
      const state = JSON.parse(readFileSync(options.stateFile, 'utf8')) as DemoState;
      return state.enforcerUrl === options.enforcerUrl && state.tenants?.length === BANKS.length
        ? state
        : null;
    } catch {
      return null;
    }
  };

  /** The saved tenants, if their API keys still work on this server (its database may be new). */
  const checkState = async (state: DemoState | null): Promise<DemoState | null> => {
    if (!state) return null;
    for (const tenant of state.tenants) {
      try {
        await call('check the demo tenant', 'GET', `/tenants/${tenant.id}`, { apiKey: tenant.apiKey });
      } catch (error) {
        if (error instanceof EnforcerCallError) return null;
        throw error;
      }
    }
    return state;
  };

  const provision = async (): Promise<DemoState> => {
    const otp = await call<{ code?: string }>('request a code', 'POST', '/auth/otp/request', {
      body: { email: BANK_OWNER },
    });
    if (!otp.body.code) {
      throw new Error('The demo needs a development server (it reads one-time codes from the answers)');
    }
    const tenants: DemoTenant[] = [];
    let ownerToken: string | undefined;
    for (const name of BANKS) {
      // The first bank is proven with the code, the next with the owner's session.
      const created = await call<{ token: string; tenant: { id: string; code: string; name: string } }>(
        `create ${name}`,
        'POST',
        '/tenants/self-serve',
        ownerToken
          ? { body: { name, admin_email: BANK_OWNER }, token: ownerToken }
          : { body: { name, admin_email: BANK_OWNER, otp: otp.body.code } },
      );
      ownerToken ??= created.body.token;
      const key = await call<{ key: string }>(`mint an API key for ${name}`, 'POST', '/api-keys', {
        body: { name: 'banking demo backend' },
        token: created.body.token,
      });
      tenants.push({ ...created.body.tenant, apiKey: key.body.key });
    }
    const state: DemoState = { enforcerUrl: options.enforcerUrl, tenants };
    mkdirSync(dirname(options.stateFile), { recursive: true });
    writeFileSync(options.stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    return state;
  };

  /** The app's own origins (127.0.0.1 and localhost, on the port it listens on), once it listens. */
  let appOrigins: string[] = [];
  const rememberPort = (httpServer: Server | null | undefined) => {
    const listening = () => {
      const address = httpServer?.address();
      if (address && typeof address === 'object') {
        appOrigins = ['127.0.0.1', 'localhost'].map((host) => `http://${host}:${address.port}`);
      }
    };
    if (httpServer?.listening) listening();
    else httpServer?.once('listening', listening);
  };

  /** Sets each bank up as the demo needs it (again at every start: settings may have been changed by hand). */
  const configure = async (tenant: DemoTenant): Promise<void> => {
    // Identity verification: the development provider's page (Approve / Reject), approval joins `verified`.
    await call('switch the KYC module on', 'PUT', `/tenants/${tenant.id}/modules/kyc`, {
      body: { enabled: true, provider: 'development', group: 'verified' },
      apiKey: tenant.apiKey,
    });
    const oidc = options.oidc;
    if (!oidc) return;
    if (appOrigins.length === 0) throw new Error('the demo app is not listening yet');
    await call('register the OpenID Provider', 'PUT', `/tenants/${tenant.id}/oauth`, {
      body: {
        providers: [
          {
            name: OIDC_PROVIDER_NAME,
            kind: 'oidc',
            issuer: oidc.issuer,
            client_id: oidc.clientId,
            client_secret: oidc.clientSecret,
            ...(oidc.clientSecret === null ? { token_endpoint_auth: 'none' } : {}),
          },
        ],
        // Compared exactly: the app's callback under each name the browser may use for it.
        redirect_urls: appOrigins.map((origin) => `${origin}${OAUTH_CALLBACK_PATH}`),
      },
      apiKey: tenant.apiKey,
    });
    // The tenant accepts the method, next to the ones it has (a passkey set up by hand stays).
    const current = await call<{ auth_providers: string[] }>(
      'read the bank',
      'GET',
      `/tenants/${tenant.id}`,
      {
        apiKey: tenant.apiKey,
      },
    );
    if (!current.body.auth_providers.includes('oauth')) {
      await call('accept social sign-in', 'PUT', `/tenants/${tenant.id}/auth-provider`, {
        body: { providers: [...current.body.auth_providers, 'oauth'] },
        apiKey: tenant.apiKey,
      });
    }
  };

  let ready: Promise<DemoState> | undefined;
  const state = () => {
    ready ??= (async () => {
      const current = (await checkState(readState())) ?? (await provision());
      for (const tenant of current.tenants) await configure(tenant);
      return current;
    })();
    ready.catch(() => {
      ready = undefined; // try again on the next request (the server may not be up yet)
    });
    return ready;
  };

  const middleware: Connect.NextHandleFunction = (request, response, next) => {
    const url = request.url ?? '';
    if (!url.startsWith('/demo/')) return next();
    const handle = async () => {
      if (request.method === 'GET' && url === '/demo/config') {
        const { tenants } = await state();
        return {
          status: 200,
          body: {
            tenants: tenants.map(({ id, code, name }) => ({ id, code, name })),
            oauth: options.oidc
              ? {
                  provider: OIDC_PROVIDER_NAME,
                  label: options.oidc.label,
                  callback_path: OAUTH_CALLBACK_PATH,
                }
              : null,
          },
        };
      }
      return { status: 404, body: { error: 'not found' } };
    };
    handle().then(
      (result) => send(response, result.status, result.body),
      (error: unknown) => {
        const unreachable = !(error instanceof EnforcerCallError);
        send(response, 502, {
          error: unreachable
            ? `Enforcer is not reachable at ${options.enforcerUrl} (${String(error)}). Start it with \`pnpm start\`.`
            : String((error as Error).message),
        });
      },
    );
  };

  return {
    name: 'enforcer-banking-demo-backend',
    configureServer: (server) => {
      rememberPort(server.httpServer as Server | null);
      server.middlewares.use(middleware);
    },
    configurePreviewServer: (server) => {
      rememberPort(server.httpServer as Server);
      server.middlewares.use(middleware);
    },
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('cache-control', 'no-store');
  if (body === undefined) {
    response.end();
    return;
  }
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
}
