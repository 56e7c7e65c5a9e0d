// The Fastify plugin and the Express middleware, in front of real apps, with tokens from the real
// server: 401 and 403 answers are RFC 9457 problems with Enforcer's own codes.
import type { AddressInfo } from 'node:net';
import type { Resource } from '@enforcer/node-verifier';
import { enforcerExpress, requirePermission as requireExpress } from '@enforcer/node-verifier/express';
import {
  enforcer as enforcerPlugin,
  requirePermission as requireFastify,
} from '@enforcer/node-verifier/fastify';
import express, { type Request } from 'express';
import Fastify from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parts, signWithServerKey } from './forge';
import { type Member, startEnforcer } from './support';

const enforcer = await startEnforcer();
const verifier = enforcer.verifier({ autoRefresh: false });
const refusals: string[] = [];
const accountRecord = (id: string): Resource => ({
  type: 'account',
  attributes: { id, tenant_id: enforcer.tenantId },
});
// Records that each make the engine deny in its own way (for the owner, who may change roles).
const records: Record<string, Resource> = {
  active: { type: 'account', attributes: { id: 'a-1', tenant_id: enforcer.tenantId, active: true } },
  inactive: { type: 'account', attributes: { id: 'a-1', tenant_id: enforcer.tenantId, active: false } },
  foreign: { type: 'account', attributes: { id: 'a-1', tenant_id: 'another-tenant', active: true } },
  widget: { type: 'widget', attributes: { id: 'w-1', tenant_id: enforcer.tenantId } },
};

// The same routes in both frameworks.
const fastify = Fastify();
await fastify.register(enforcerPlugin, {
  verifier,
  onError: (error) => refusals.push((error as { code: string }).code),
});
fastify.get('/public', { config: { enforcer: false } }, async () => ({ public: true }));
fastify.get('/maybe', { config: { enforcer: { optional: true } } }, async (request) => ({
  account: request.enforcer?.principal.accountId ?? null,
}));
fastify.get('/me', async (request) => {
  const { principal } = request.enforcer!;
  return { account: principal.accountId, roles: principal.roles, groups: principal.groups };
});
fastify.post('/transfers', { config: { enforcer: { permission: 'transfers.create' } } }, async () => ({
  ok: true,
}));
fastify.get<{ Params: { id: string } }>(
  '/accounts/:id',
  {
    config: {
      enforcer: {
        permission: 'accounts.read',
        resource: (request) => accountRecord((request.params as { id: string }).id),
      },
    },
  },
  async () => ({ ok: true }),
);
fastify.post<{ Params: { kind: string } }>(
  '/records/:kind/role',
  {
    config: {
      enforcer: {
        permission: 'accounts.role.update',
        resource: (request) => records[(request.params as { kind: string }).kind]!,
      },
    },
  },
  async () => ({ ok: true }),
);
fastify.patch('/settings', { preHandler: requireFastify('tenants.update') }, async () => ({ ok: true }));
fastify.get('/plan', async (request) => request.enforcer!.filter('accounts.read', 'account'));

const app = express();
app.get('/public', (_req, res) => {
  res.json({ public: true });
});
app.get('/maybe', enforcerExpress({ verifier, optional: true }), (req, res) => {
  res.json({ account: req.enforcer?.principal.accountId ?? null });
});
app.use(enforcerExpress({ verifier, onError: (error) => refusals.push((error as { code: string }).code) }));
app.get('/me', (req, res) => {
  const { principal } = req.enforcer!;
  res.json({ account: principal.accountId, roles: principal.roles, groups: principal.groups });
});
app.post('/transfers', requireExpress('transfers.create'), (_req, res) => {
  res.json({ ok: true });
});
app.get(
  '/accounts/:id',
  // The route's own request type reaches the resource builder (issue #20: no cast needed).
  requireExpress('accounts.read', (req: Request<{ id: string }>) => accountRecord(req.params.id)),
  (_req, res) => {
    res.json({ ok: true });
  },
);
app.post(
  '/records/:kind/role',
  requireExpress('accounts.role.update', (req: Request<{ kind: string }>) => records[req.params.kind]!),
  (_req, res) => {
    res.json({ ok: true });
  },
);
app.patch('/settings', requireExpress('tenants.update'), (_req, res) => {
  res.json({ ok: true });
});
app.get('/plan', (req, res) => {
  res.json(req.enforcer!.filter('accounts.read', 'account'));
});

const fastifyOrigin = await fastify.listen({ port: 0, host: '127.0.0.1' });
const expressServer = app.listen(0, '127.0.0.1');
await new Promise((resolve) => expressServer.once('listening', resolve));
const expressOrigin = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;
afterAll(async () => {
  await fastify.close();
  await new Promise((resolve) => expressServer.close(resolve));
});

let member: Member;
let verified: Member;
let owner: Member;
let expired: string;
let revoked: Member;
let inactive: Member;

beforeAll(async () => {
  member = await enforcer.addAccount('member');
  owner = await enforcer.addAccount('owner');
  verified = await enforcer.addAccount('member');
  const groups = await enforcer.api('GET', '/groups', { token: enforcer.owner.token });
  const verifiedId = groups.body.data.find((g: { name: string }) => g.name === 'verified').id;
  await enforcer.api('POST', `/groups/${verifiedId}/members`, {
    token: enforcer.owner.token,
    body: { account_id: verified.accountId },
  });
  verified = await enforcer.signIn(verified.accountId);
  const now = Math.floor(enforcer.clock.now().getTime() / 1000);
  expired = await signWithServerKey(
    enforcer,
    {},
    { ...parts(member.token).payload, iat: now - 1000, exp: now - 100 },
  );
  revoked = await enforcer.addAccount('member');
  await enforcer.server.revokeSession(revoked.sessionId, 'logout');
  inactive = await enforcer.addAccount('member');
  const client = new pg.Client({ connectionString: enforcer.dbUrl });
  await client.connect();
  await client.query(
    "update account set active = false, status = 'deactivated', grant_version = grant_version + 1 where id = $1",
    [inactive.accountId],
  );
  await client.end();
  await verifier.refresh();
});

describe.each([
  ['fastify', () => fastifyOrigin],
  ['express', () => expressOrigin],
])('%s', (_name, origin) => {
  async function call(method: string, path: string, authorization?: string) {
    const response = await fetch(`${origin()}${path}`, {
      method,
      headers: authorization ? { authorization } : {},
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }
  const bearer = (token: string) => `Bearer ${token}`;

  async function expectProblem(
    answer: Awaited<ReturnType<typeof call>>,
    status: number,
    code: string,
    wwwAuthenticate?: string,
  ) {
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({
      type: `https://enforcer.dev/problems/${code.replace(/_/g, '-')}`,
      status,
      code,
      title: expect.any(String),
    });
    if (wwwAuthenticate) expect(answer.headers.get('www-authenticate')).toBe(wwwAuthenticate);
  }

  it('401 unauthenticated without a token', async () => {
    await expectProblem(await call('GET', '/me'), 401, 'unauthenticated', 'Bearer realm="enforcer"');
  });

  it('401 token_invalid for a bad token or another scheme', async () => {
    const invalid = 'Bearer realm="enforcer", error="invalid_token"';
    await expectProblem(await call('GET', '/me', 'Bearer not.a.jwt'), 401, 'token_invalid', invalid);
    await expectProblem(await call('GET', '/me', 'Basic dXNlcjpwYXNz'), 401, 'token_invalid', invalid);
    const tampered = member.token.replace(/\.[^.]+$/, `.${Buffer.alloc(64).toString('base64url')}`);
    await expectProblem(await call('GET', '/me', bearer(tampered)), 401, 'token_invalid', invalid);
  });

  it('401 token_expired for an expired token', async () => {
    await expectProblem(await call('GET', '/me', bearer(expired)), 401, 'token_expired');
  });

  it('401 token_invalid for a revoked session', async () => {
    await expectProblem(await call('GET', '/me', bearer(revoked.token)), 401, 'token_invalid');
  });

  it('403 account_inactive for a deactivated account', async () => {
    await expectProblem(await call('GET', '/me', bearer(inactive.token)), 403, 'account_inactive');
  });

  it('puts the principal on the request', async () => {
    const answer = await call('GET', '/me', bearer(member.token));
    expect(answer).toMatchObject({
      status: 200,
      body: { account: member.accountId, roles: ['member'], groups: [] },
    });
    const plan = await call('GET', '/plan', bearer(member.token));
    expect(plan.body).toMatchObject({ resource_type: 'account', decision: 'conditional' });
  });

  it('403 forbidden without the route permission, 200 with it', async () => {
    await expectProblem(await call('POST', '/transfers', bearer(member.token)), 403, 'forbidden');
    expect((await call('POST', '/transfers', bearer(member.token))).body).toMatchObject({
      detail: 'Missing permission "transfers.create"',
      reason: 'no_matching_allow',
    });
    expect(await call('POST', '/transfers', bearer(verified.token))).toMatchObject({ status: 200 });
  });

  it("403 forbidden carries the engine's reason: a deny rule, another tenant's record, an undeclared type", async () => {
    const role = (kind: string) => call('POST', `/records/${kind}/role`, bearer(owner.token));
    expect(await role('active')).toMatchObject({ status: 200 });
    const denials = {
      inactive: ['denied_by_rule', 'A policy rule denies "accounts.role.update" here'],
      foreign: ['tenant_mismatch', 'The record belongs to another tenant'],
      widget: ['unknown_resource_type', 'The policy declares no resource type "widget"'],
    };
    for (const [kind, [reason, detail]] of Object.entries(denials)) {
      const answer = await role(kind);
      await expectProblem(answer, 403, 'forbidden');
      expect(answer.body, kind).toMatchObject({ reason, detail });
    }
  });

  it('decides on the record a route is about', async () => {
    expect((await call('GET', `/accounts/${member.accountId}`, bearer(member.token))).status).toBe(200);
    await expectProblem(
      await call('GET', `/accounts/${owner.accountId}`, bearer(member.token)),
      403,
      'forbidden',
    );
    expect((await call('GET', `/accounts/${member.accountId}`, bearer(owner.token))).status).toBe(200);
  });

  it('requires a permission with the handler factory', async () => {
    await expectProblem(await call('PATCH', '/settings', bearer(member.token)), 403, 'forbidden');
    expect((await call('PATCH', '/settings', bearer(owner.token))).status).toBe(200);
  });

  it('leaves public routes alone and verifies optional ones when a token is sent', async () => {
    expect(await call('GET', '/public')).toMatchObject({ status: 200, body: { public: true } });
    expect(await call('GET', '/maybe')).toMatchObject({ status: 200, body: { account: null } });
    expect(await call('GET', '/maybe', bearer(member.token))).toMatchObject({
      body: { account: member.accountId },
    });
    await expectProblem(await call('GET', '/maybe', 'Bearer nope'), 401, 'token_invalid');
  });
});

it('fastify: an unknown route is a 404, not a 401', async () => {
  expect((await fetch(`${fastifyOrigin}/nowhere`)).status).toBe(404);
});

it('reports the precise reason of each refusal to onError, never to the client', async () => {
  expect(refusals).toEqual(
    expect.arrayContaining(['malformed', 'bad_signature', 'expired', 'revoked', 'account_inactive']),
  );
});
