// Applications' tokens (client credentials, #18) through the Fastify plugin and the Express middleware:
// refused unless the middleware (or a Fastify route) accepts them; then the caller is `enforcerClient`
// (`kind: 'client'`), `enforcer` stays null, and permissions are the application's scopes, as the server
// decides them. Tokens from the real server.
import type { AddressInfo } from 'node:net';
import {
  enforcerExpress,
  enforcerCaller as expressCaller,
  requirePermission as requireExpress,
} from '@enforcer/node-verifier/express';
import {
  enforcer as enforcerPlugin,
  enforcerCaller as fastifyCaller,
  requirePermission as requireFastify,
} from '@enforcer/node-verifier/fastify';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, startEnforcer } from './support';

const enforcer = await startEnforcer();
const verifier = enforcer.clientVerifier({ autoRefresh: false });
const accountsOnly = enforcer.verifier({ autoRefresh: false });
const refusals: string[] = [];
const onError = (error: unknown) => refusals.push((error as { code: string }).code);

/** What a route sees of its caller: the typed kind, and the two request slots. */
const seen = (
  caller: ReturnType<typeof fastifyCaller>,
  slots: { enforcer?: unknown; enforcerClient?: unknown },
) => ({
  kind: caller?.kind ?? null,
  id: caller?.kind === 'client' ? caller.principal.clientId : (caller?.principal.accountId ?? null),
  scopes: caller?.kind === 'client' ? caller.principal.scopes : null,
  account_slot: slots.enforcer != null,
  client_slot: slots.enforcerClient != null,
});

// Fastify: people only by default; one route takes services, one scope takes both everywhere.
const fastify = Fastify();
await fastify.register(async (people) => {
  await people.register(enforcerPlugin, { verifier, onError });
  people.get('/people/me', async (request) => seen(fastifyCaller(request), request));
  people.get(
    '/people/service',
    { config: { enforcer: { acceptClientTokens: true, permission: 'accounts.read' } } },
    async (request) => seen(fastifyCaller(request), request),
  );
});
await fastify.register(async (both) => {
  await both.register(enforcerPlugin, { verifier, acceptClientTokens: true, onError });
  both.get('/both/me', async (request) => seen(fastifyCaller(request), request));
  both.post('/both/transfers', { preHandler: requireFastify('transfers.create') }, async () => ({
    ok: true,
  }));
  both.get('/both/people-only', { config: { enforcer: { acceptClientTokens: false } } }, async () => ({
    ok: true,
  }));
});
await fastify.register(async (misconfigured) => {
  // The plugin accepts them but the verifier does not: still refused.
  await misconfigured.register(enforcerPlugin, { verifier: accountsOnly, acceptClientTokens: true, onError });
  misconfigured.get('/strict/me', async (request) => seen(fastifyCaller(request), request));
});

// Express: the same routes.
const app = express();
const people = enforcerExpress({ verifier, onError });
const both = enforcerExpress({ verifier, acceptClientTokens: true, onError });
app.get('/people/me', people, (req, res) => {
  res.json(seen(expressCaller(req), req));
});
app.get('/people/service', both, requireExpress('accounts.read'), (req, res) => {
  res.json(seen(expressCaller(req), req));
});
app.get('/both/me', both, (req, res) => {
  res.json(seen(expressCaller(req), req));
});
app.post('/both/transfers', both, requireExpress('transfers.create'), (_req, res) => {
  res.json({ ok: true });
});
app.get('/both/people-only', people, (_req, res) => {
  res.json({ ok: true });
});
app.get(
  '/strict/me',
  enforcerExpress({ verifier: accountsOnly, acceptClientTokens: true, onError }),
  (req, res) => {
    res.json(seen(expressCaller(req), req));
  },
);

const fastifyOrigin = await fastify.listen({ port: 0, host: '127.0.0.1' });
const expressServer = app.listen(0, '127.0.0.1');
await new Promise((resolve) => expressServer.once('listening', resolve));
const expressOrigin = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;
afterAll(async () => {
  await fastify.close();
  await new Promise((resolve) => expressServer.close(resolve));
});

let service: { clientId: string; token: string };
let member: Member;

beforeAll(async () => {
  const registered = await enforcer.addApplication(['accounts.read']);
  service = { clientId: registered.clientId, token: await registered.token() };
  member = await enforcer.addAccount('member');
  await verifier.refresh();
  await accountsOnly.refresh();
});

describe.each([
  ['fastify', () => fastifyOrigin],
  ['express', () => expressOrigin],
])('%s', (_name, origin) => {
  async function call(method: string, path: string, token: string) {
    const response = await fetch(`${origin()}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("refuses an application's token where applications are not accepted: 401 token_invalid", async () => {
    refusals.length = 0;
    for (const path of ['/people/me', '/both/people-only', '/strict/me']) {
      const answer = await call('GET', path, service.token);
      expect(answer.status, path).toBe(401);
      expect(answer.body.code, path).toBe('token_invalid');
    }
    expect(refusals).toEqual(['client_token', 'client_token', 'client_token']);
  });

  it('lets it through where accepted: kind client, enforcerClient set, enforcer null', async () => {
    const answer = await call('GET', '/both/me', service.token);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({
      kind: 'client',
      id: service.clientId,
      scopes: ['accounts.read'],
      account_slot: false,
      client_slot: true,
    });
  });

  it("decides with the application's scopes: a scope it holds passes, another action is 403", async () => {
    expect((await call('GET', '/people/service', service.token)).status).toBe(200);
    const denied = await call('POST', '/both/transfers', service.token);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'forbidden', reason: 'no_matching_allow' });
  });

  it("an account's token is unchanged where applications are accepted: kind account, enforcer set", async () => {
    const answer = await call('GET', '/both/me', member.token);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      kind: 'account',
      id: member.accountId,
      account_slot: true,
      client_slot: false,
    });
    expect((await call('GET', '/people/me', member.token)).body).toMatchObject({ kind: 'account' });
  });
});
