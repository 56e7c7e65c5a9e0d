// The demo's "backend", run inside Vite's dev (and preview) server. It plays the part your own
// server plays in production: it holds the tenants' API keys (which never reach the browser) and
// does the one admin call of the demo, adding the signed-in account to the `verified` group when
// "KYC" passes. A real app does that from its KYC provider's webhook, not from a button.
//
// On first use it provisions two banks on the Enforcer server (self-serve, proven with the
// development server's one-time codes) and an API key for each, and keeps them in a state file so
// later starts reuse them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { Connect, Plugin } from 'vite';

export interface DemoBackendOptions {
  /** Enforcer's origin, e.g. `http://127.0.0.1:8080`. */
  enforcerUrl: string;
  /** Where the provisioned tenants and their API keys are kept between starts. */
  stateFile: string;
}

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

  let ready: Promise<DemoState> | undefined;
  const state = () => {
    ready ??= (async () => (await checkState(readState())) ?? (await provision()))();
    ready.catch(() => {
      ready = undefined; // try again on the next request (the server may not be up yet)
    });
    return ready;
  };

  /** `POST /demo/kyc { passed }`: adds the caller's account to `verified` (or removes it). */
  const kyc = async (request: IncomingMessage): Promise<{ status: number; body?: unknown }> => {
    const authorization = request.headers.authorization ?? '';
    const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
    if (!token) return { status: 401, body: { error: 'sign in first' } };
    const { passed } = JSON.parse((await readBody(request)) || '{}') as { passed?: boolean };
    // Who is asking, as Enforcer verified it (never trust an account id sent by the browser).
    const me = await call<{ account: { id: string }; tenant: { id: string } }>(
      'who is this',
      'GET',
      '/auth/me',
      {
        token,
      },
    );
    const tenant = (await state()).tenants.find((t) => t.id === me.body.tenant.id);
    if (!tenant) return { status: 403, body: { error: 'not one of the demo banks' } };
    const groups = await call<{ data: { id: string; name: string }[] }>(
      'list groups',
      'GET',
      '/groups?limit=100',
      {
        apiKey: tenant.apiKey,
      },
    );
    const verified = groups.body.data.find((group) => group.name === 'verified');
    if (!verified) return { status: 500, body: { error: 'the tenant has no verified group' } };
    if (passed === false) {
      await call('remove from verified', 'DELETE', `/groups/${verified.id}/members/${me.body.account.id}`, {
        apiKey: tenant.apiKey,
      });
    } else {
      await call('add to verified', 'POST', `/groups/${verified.id}/members`, {
        body: { account_id: me.body.account.id },
        apiKey: tenant.apiKey,
      });
    }
    return { status: 204 };
  };

  const middleware: Connect.NextHandleFunction = (request, response, next) => {
    const url = request.url ?? '';
    if (!url.startsWith('/demo/')) return next();
    const handle = async () => {
      if (request.method === 'GET' && url === '/demo/config') {
        const { tenants } = await state();
        return { status: 200, body: { tenants: tenants.map(({ id, code, name }) => ({ id, code, name })) } };
      }
      if (request.method === 'POST' && url === '/demo/kyc') return kyc(request);
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
      server.middlewares.use(middleware);
    },
    configurePreviewServer: (server) => {
      server.middlewares.use(middleware);
    },
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 10_000) reject(new Error('body too large'));
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
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
