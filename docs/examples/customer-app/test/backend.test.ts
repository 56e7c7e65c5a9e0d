// The Express backend against the mock: the mock's tokens are real ES256 JWTs, its JWKS, policy and
// revocation feed are fetched by the real verifier through MSW, and requests reach Express over HTTP.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPolicy } from '@enforcer/contract';
import { createVerifier, type Verifier } from '@enforcer/node-verifier';
import { createEnforcer } from '@enforcer/sdk-js';
import { createEnforcerMock } from '@enforcer/sdk-js/msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBackend, type Statement } from '../backend/app.js';
import { withStatements } from '../src/policy.js';

const mock = createEnforcerMock({ baseUrl: 'https://enforcer.test' });
const msw = setupServer(...mock.handlers);
// Requests to the backend on 127.0.0.1 are real: only the mock's base URL is intercepted.
beforeAll(() => msw.listen({ onUnhandledFrame: 'bypass' }));

const tenant = mock.seed.tenant({ policy: withStatements(defaultPolicy()) });
const alice = mock.seed.account({ tenant: tenant.id, email: 'alice@example.com' });
const bob = mock.seed.account({ tenant: tenant.id, email: 'bob@example.com' });
const statements: Statement[] = [
  { id: 's1', tenant_id: tenant.id, owner_id: alice.id, amount: 120 },
  { id: 's2', tenant_id: tenant.id, owner_id: bob.id, amount: 75 },
  { id: 's3', tenant_id: tenant.id, owner_id: alice.id, amount: 9 },
];

// Created once MSW listens: the verifier fetches its keys, policy and feed as soon as it is made.
let verifier: Verifier;
let server: Server;
beforeAll(async () => {
  verifier = createVerifier({
    issuer: mock.issuer,
    audience: 'enforcer',
    jwksUri: `${mock.issuer}/.well-known/jwks.json`,
    policy: { baseUrl: mock.issuer, apiKey: mock.seed.apiKey({ tenant: tenant.id, role: 'admin' }).key },
  });
  await verifier.ready();
  server = createBackend(verifier, statements).listen(0, '127.0.0.1');
  await once(server, 'listening');
});
const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(async () => {
  verifier.close();
  await new Promise((resolve) => server.close(resolve));
  msw.close();
});

async function signIn(email: string) {
  const enforcer = createEnforcer({ baseUrl: mock.baseUrl, tenantCode: tenant.code });
  await enforcer.requestOtp(email);
  await enforcer.signInWithOtp({ email, otp: mock.lastOtp(email)! });
  return enforcer;
}
const get = (path: string, token?: string, init: RequestInit = {}) =>
  fetch(`${base()}${path}`, { ...init, headers: token ? { authorization: `Bearer ${token}` } : {} });

it('refuses a request without a token, and a forged one', async () => {
  expect((await get('/statements')).status).toBe(401);
  expect((await get('/statements', 'e30.e30.sig')).status).toBe(401);
});

it('lists only the statements the person may read, and agrees with the record-level check', async () => {
  const enforcer = await signIn('alice@example.com');
  const token = (await enforcer.getAccessToken())!;
  const listed = (await (await get('/statements', token)).json()) as Statement[];
  expect(listed.map((row) => row.id)).toEqual(['s1', 's3']);
  // Every row: readable one by one exactly when it was listed.
  for (const row of statements) {
    const one = await get(`/statements/${row.id}`, token);
    expect(one.status, row.id).toBe(listed.some((seen) => seen.id === row.id) ? 200 : 403);
  }
  enforcer.destroy();
});

it('unlocks transfers once the person joins the verified group, as the revocation feed tells', async () => {
  const enforcer = await signIn('bob@example.com');
  const token = (await enforcer.getAccessToken())!;
  const transfer = () =>
    fetch(`${base()}/transfers`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const refused = await transfer();
  expect(refused.status).toBe(403);
  expect(((await refused.json()) as { reason?: string }).reason).toBe('no_matching_allow');
  mock.seed.addToGroup({ account: bob.id, group: 'verified' });
  await verifier.refresh(); // the feed says bob's grant changed: the same token now carries the group
  const allowed = await transfer();
  expect(allowed.status).toBe(201);
  expect(await allowed.json()).toEqual({ by: bob.id });
  enforcer.destroy();
});
