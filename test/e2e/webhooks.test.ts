// Outbound webhooks end to end (#16): a real server with its delivery worker, a real receiver on
// 127.0.0.1 that verifies every delivery's signature with the `standardwebhooks` library.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/index.js';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { startServer, type TestServer } from './harness.js';
import { startWebhookReceiver } from './webhook-receiver.js';

/** A worker that polls often and retries after 100 ms, 500 ms, ...: the schedule of a day, in seconds. */
const fastWorker = {
  // One master key for every server of the file: servers sharing a database open each other's sealed secrets.
  ENFORCER_MASTER_KEY: randomBytes(32).toString('base64'),
  WEBHOOK_WORKER: 'true',
  WEBHOOK_POLL_INTERVAL_MS: '50',
  WEBHOOK_RETRY_BASE_MS: '100',
};

const receiver = await startWebhookReceiver();
const server = await startServer({ env: fastWorker });
const { api } = server;
let t: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
});

let pathCount = 0;
/** Registers an endpoint on a fresh receiver path; the receiver verifies its deliveries with its secret. */
async function endpoint(on: TestServer, token: string, eventTypes: string[], path = `/hook-${++pathCount}`) {
  const created = expectOk(
    await on.api('POST', '/webhooks/endpoints', {
      token,
      body: { url: `${receiver.origin}${path}`, event_types: eventTypes, description: 'test receiver' },
    }),
    201,
  );
  receiver.secrets.set(path, [created.secret]);
  return { ...created, path } as { id: string; secret: string; path: string; event_types: string[] };
}

const mintKey = async (on: TestServer, token: string, name: string) =>
  expectOk(await on.api('POST', '/api-keys', { token, body: { name } }), 201) as { id: string };

describe('endpoints', () => {
  it('registers an endpoint: a whsec_ secret shown once, stored sealed, audited; listed and read without it', async () => {
    const created = await endpoint(server, t.owner.token, ['account.*', 'api_key.created']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    const row = await server.db.records('webhookEndpoints').one(created.id);
    expect(row.secretSealed).not.toContain(created.secret.slice(6));
    expect(JSON.stringify(row)).not.toContain(created.secret);
    const [event] = await server.db.auditEvents({ action: 'webhook.endpoint.created', targetId: created.id });
    expect(event).toMatchObject({ actorType: 'account', actorId: t.owner.accountId, tenantId: t.tenant.id });

    const one = expectOk(await api('GET', `/webhooks/endpoints/${created.id}`, { token: t.owner.token }));
    expect(one).toMatchObject({
      id: created.id,
      event_types: ['account.*', 'api_key.created'],
      enabled: true,
    });
    expect(one.secret).toBeUndefined();
    const list = expectOk(await api('GET', '/webhooks/endpoints', { token: t.owner.token }));
    expect(list.data.map((e: { id: string }) => e.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain('whsec_');
  });

  it('refuses URLs it will not call and event types outside the catalogue', async () => {
    for (const url of ['http://example.com/hook', 'ftp://127.0.0.1/x', 'https://user:pw@example.com/hook']) {
      const refused = await api('POST', '/webhooks/endpoints', {
        token: t.owner.token,
        body: { url, event_types: ['*'] },
      });
      expect([400], url).toContain(refused.status);
      expect(['webhook_url_refused', 'validation_failed'], url).toContain(refused.body.code);
    }
    expectProblem(
      await api('POST', '/webhooks/endpoints', {
        token: t.owner.token,
        body: { url: 'http://example.com/hook', event_types: ['*'] },
      }),
      400,
      'webhook_url_refused',
    );
    for (const filter of ['account.nope', 'nope.*', 'account*', '']) {
      const problem = expectProblem(
        await api('POST', '/webhooks/endpoints', {
          token: t.owner.token,
          body: { url: `${receiver.origin}/x`, event_types: [filter] },
        }),
        400,
        'validation_failed',
      );
      expectFieldError(problem, 'body.event_types.0');
    }
    expect(await server.db.records('webhookEndpoints').count({ url: `${receiver.origin}/x` })).toBe(0);
  });

  it('is webhooks.manage: held by owner and admin (and an admin API key), not by a member', async () => {
    expectProblem(await api('GET', '/webhooks/endpoints', { token: t.member.token }), 403, 'forbidden');
    expectOk(await api('GET', '/webhooks/endpoints', { token: t.admin.token }));
    expectOk(await api('GET', '/webhooks/endpoints', { apiKey: t.apiKey }));
  });

  it('PATCH changes and DELETE removes (404 after)', async () => {
    const created = await endpoint(server, t.owner.token, ['*']);
    const patched = expectOk(
      await api('PATCH', `/webhooks/endpoints/${created.id}`, {
        token: t.owner.token,
        body: { event_types: ['group.*'], description: null, enabled: false },
      }),
    );
    expect(patched).toMatchObject({
      event_types: ['group.*'],
      description: null,
      enabled: false,
      disabled_reason: 'manual',
    });
    expectProblem(
      await api('PATCH', `/webhooks/endpoints/${created.id}`, {
        token: t.owner.token,
        body: { url: 'http://10.0.0.1/hook' },
      }),
      400,
      'webhook_url_refused',
    );
    expect(await api('DELETE', `/webhooks/endpoints/${created.id}`, { token: t.owner.token })).toMatchObject({
      status: 204,
    });
    expectProblem(
      await api('GET', `/webhooks/endpoints/${created.id}`, { token: t.owner.token }),
      404,
      'not_found',
    );
  });
});

describe('delivery', () => {
  it('delivers an event caused by an API call, signed per Standard Webhooks, once', async () => {
    const hook = await endpoint(server, t.owner.token, ['api_key.created']);
    const key = await mintKey(server, t.owner.token, 'delivered-key');
    const [got] = await receiver.waitFor((r) => r.path === hook.path);
    expect(got!.verifiedWith).toEqual([0]);
    expect(got!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(got!.event).toMatchObject({
      type: 'api_key.created',
      tenant_id: t.tenant.id,
      data: { api_key_id: key.id, name: 'delivered-key', role: 'admin' },
    });
    expect(got!.headers['webhook-id']).toBe(got!.event.id);
    // Never a secret in a payload.
    expect(got!.body).not.toMatch(/enf_|whsec_/);
    await delay(300);
    expect(receiver.received.filter((r) => r.path === hook.path)).toHaveLength(1);
    const deliveries = expectOk(
      await api('GET', `/webhooks/endpoints/${hook.id}/deliveries`, { token: t.owner.token }),
    );
    expect(deliveries.data).toEqual([
      expect.objectContaining({
        event_id: got!.event.id,
        event_type: 'api_key.created',
        status: 'delivered',
        attempts: 1,
        response_status: 200,
        response_body: 'ok',
        next_attempt_at: null,
      }),
    ]);
  });

  it('filters with prefix wildcards: each endpoint gets only what it subscribed to', async () => {
    const groups = await endpoint(server, t.owner.token, ['group.*']);
    const keys = await endpoint(server, t.owner.token, ['api_key.created']);
    const everything = await endpoint(server, t.owner.token, ['*']);
    const verified = expectOk(await api('GET', '/groups', { token: t.owner.token })).data.find(
      (g: { name: string }) => g.name === 'verified',
    );
    expectOk(
      await api('POST', `/groups/${verified.id}/members`, {
        token: t.owner.token,
        body: { account_id: t.member.accountId },
      }),
      201,
    );
    await mintKey(server, t.owner.token, 'filtered');
    await receiver.waitFor((r) => r.path === everything.path, 2);
    await receiver.waitFor((r) => r.path === groups.path);
    await receiver.waitFor((r) => r.path === keys.path);
    await delay(300);
    const types = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => r.event.type);
    expect(types(groups.path)).toEqual(['group.member_added']);
    expect(types(keys.path)).toEqual(['api_key.created']);
    expect(types(everything.path).sort()).toEqual(['api_key.created', 'group.member_added']);
    const added = receiver.received.find((r) => r.path === groups.path)!;
    expect(added.event.data).toEqual({
      group_id: verified.id,
      group: 'verified',
      account_id: t.member.accountId,
    });
    expect(receiver.received.filter((r) => r.verifiedWith.length === 0)).toEqual([]);
  });

  it('retries an endpoint answering 500, with backoff, until it answers 200', async () => {
    const hook = await endpoint(server, t.owner.token, ['api_key.created']);
    receiver.script.set(hook.path, [500, 503]);
    await mintKey(server, t.owner.token, 'retried');
    const got = await receiver.waitFor((r) => r.path === hook.path, 3);
    expect(got.map((r) => r.answered)).toEqual([500, 503, 200]);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(got.every((r) => r.verifiedWith.length === 1)).toBe(true);
    await delay(200);
    const [delivery] = expectOk(
      await api('GET', `/webhooks/endpoints/${hook.id}/deliveries`, { token: t.owner.token }),
    ).data;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, response_status: 200 });
    // The failure streak ended with the success.
    expect((await server.db.records('webhookEndpoints').one(hook.id)).failingSince).toBeNull();
  });

  it('rotate-secret: the new secret signs, and the previous one still does for 24 hours', async () => {
    const hook = await endpoint(server, t.owner.token, ['webhook.test']);
    const rotated = expectOk(
      await api('POST', `/webhooks/endpoints/${hook.id}/rotate-secret`, { token: t.owner.token }),
    );
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(hook.secret);
    receiver.secrets.set(hook.path, [hook.secret, rotated.secret]);
    expectOk(await api('POST', `/webhooks/endpoints/${hook.id}/test`, { token: t.owner.token }), 202);
    const [got] = await receiver.waitFor((r) => r.path === hook.path);
    expect(got!.event).toMatchObject({ type: 'webhook.test', data: { endpoint_id: hook.id } });
    expect(got!.verifiedWith).toEqual([0, 1]);
    expect(String(got!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    const row = await server.db.records('webhookEndpoints').one(hook.id);
    const validFor = row.previousSecretExpiresAt!.getTime() - Date.now();
    expect(validFor).toBeGreaterThan(23.9 * 3600_000);
    expect(validFor).toBeLessThanOrEqual(24 * 3600_000);
  });

  it('replays a delivery: the same event (same webhook-id), a new delivery', async () => {
    const hook = await endpoint(server, t.owner.token, ['webhook.test']);
    const test = expectOk(
      await api('POST', `/webhooks/endpoints/${hook.id}/test`, { token: t.owner.token }),
      202,
    );
    const [first] = await receiver.waitFor((r) => r.path === hook.path);
    const replay = expectOk(
      await api('POST', `/webhooks/deliveries/${test.id}/replay`, { token: t.owner.token }),
      202,
    );
    expect(replay).toMatchObject({ event_id: test.event_id, status: 'pending', attempts: 0 });
    expect(replay.id).not.toBe(test.id);
    const both = await receiver.waitFor((r) => r.path === hook.path, 2);
    expect(both[1]!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(both[1]!.body).toBe(first!.body);
    const deliveries = expectOk(
      await api('GET', `/webhooks/endpoints/${hook.id}/deliveries`, { token: t.owner.token }),
    ).data;
    expect(deliveries.map((d: { id: string }) => d.id).sort()).toEqual([test.id, replay.id].sort());
    expectProblem(
      await api('POST', `/webhooks/deliveries/${crypto.randomUUID()}/replay`, { token: t.owner.token }),
      404,
      'not_found',
    );
  });

  it('an event whose transaction fails leaves no outbox row', async () => {
    const before = await server.db.records('webhookEvents').count({ tenant: t.tenant.id });
    // A role the owner may not hand out does not exist: the key is refused, nothing is written.
    expect(
      (await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'x', role: 'nope' } })).status,
    ).toBeGreaterThanOrEqual(400);
    expect(await server.db.records('webhookEvents').count({ tenant: t.tenant.id })).toBe(before);
  });
});

describe('session.ended for the sessions an admin change ends', () => {
  it("one event per session when an admin ends all of an account's sessions, and when the account is deactivated", async () => {
    const hook = await endpoint(server, t.owner.token, ['session.ended', 'account.status_changed']);
    const target = await t.addAccount('member');
    const sessionsOf = async () =>
      (await server.db.records('sessions').find({ account: target.accountId })).map((s) => s.id as string);
    const second = await server.signIn({ accountId: target.accountId, amr: ['otp'] });
    const first = (await sessionsOf()).filter((id) => id !== second.sessionId);
    expect(first).toHaveLength(1);

    const ended = expectOk(
      await api('DELETE', `/accounts/${target.accountId}/sessions`, { token: t.owner.token }),
    );
    expect(ended).toEqual({ sessions_ended: 2 });
    const got = await receiver.waitFor((r) => r.path === hook.path && r.event.type === 'session.ended', 2);
    expect(got.map((r) => r.event.data)).toEqual(
      expect.arrayContaining([
        { session_id: first[0], account_id: target.accountId, reason: 'ended_by_admin' },
        { session_id: second.sessionId, account_id: target.accountId, reason: 'ended_by_admin' },
      ]),
    );
    expect(got.every((r) => r.verifiedWith.length > 0)).toBe(true);

    // Deactivating ends the sessions opened since: the status change, then one session.ended each.
    const third = await server.signIn({ accountId: target.accountId, amr: ['otp'] });
    expectOk(
      await api('PUT', `/accounts/${target.accountId}/active`, {
        token: t.owner.token,
        body: { active: false },
      }),
    );
    const after = await receiver.waitFor((r) => r.path === hook.path, 4);
    const late = after.slice(2).map((r) => r.event);
    expect(late.map((e) => e.type).sort()).toEqual(['account.status_changed', 'session.ended']);
    expect(late.find((e) => e.type === 'session.ended')!.data).toEqual({
      session_id: third.sessionId,
      account_id: target.accountId,
      reason: 'account_deactivated',
    });
    // The events were written with the change: the audit event lists the same sessions.
    const [audit] = await server.db.auditEvents({
      action: 'account.deactivated',
      targetId: target.accountId,
    });
    expect(audit?.details).toMatchObject({ sessions_ended: 1, session_ids: [third.sessionId] });
    await delay(300);
    expect(receiver.received.filter((r) => r.path === hook.path)).toHaveLength(4);
  });
});

describe('several servers, one database', () => {
  it('two processes delivering deliver each event once per endpoint', async () => {
    const second = await startServer({ env: fastWorker, shareDatabaseWith: server });
    const hook = await endpoint(server, t.owner.token, ['api_key.created']);
    const ids = [];
    for (let i = 0; i < 8; i++)
      ids.push((await mintKey(i % 2 ? second : server, t.owner.token, `pair-${i}`)).id);
    const got = await receiver.waitFor((r) => r.path === hook.path, 8);
    await delay(500);
    const here = receiver.received.filter((r) => r.path === hook.path);
    expect(here).toHaveLength(8);
    expect(new Set(here.map((r) => r.headers['webhook-id'])).size).toBe(8);
    expect(here.map((r) => (r.event.data as { api_key_id: string }).api_key_id).sort()).toEqual(ids.sort());
    expect(got.every((r) => r.verifiedWith.length === 1)).toBe(true);
    await second.close();
  });
});

describe('restart between commit and delivery', () => {
  it('loses nothing: a server without a worker commits the event, a new one on the same database delivers it once', async () => {
    const db = await createTestDatabase();
    const masterKey = fastWorker.ENFORCER_MASTER_KEY;
    const first = await startServer({
      databaseUrl: db.url,
      env: { WEBHOOK_WORKER: 'false', ENFORCER_MASTER_KEY: masterKey },
    });
    const tenant = await seedTenant(first);
    const hook = await endpoint(first, tenant.owner.token, ['api_key.created']);
    const key = await mintKey(first, tenant.owner.token, 'before-restart');
    await delay(300);
    expect(receiver.received.filter((r) => r.path === hook.path)).toEqual([]);
    expect(await first.db.records('webhookEvents').count({ type: 'api_key.created' })).toBeGreaterThan(0);
    await first.close();

    const next = await startServer({
      databaseUrl: db.url,
      env: { ...fastWorker, ENFORCER_MASTER_KEY: masterKey },
    });
    const [got] = await receiver.waitFor((r) => r.path === hook.path);
    expect(got!.event).toMatchObject({ type: 'api_key.created', data: { api_key_id: key.id } });
    expect(got!.verifiedWith).toEqual([0]);
    await delay(500);
    expect(receiver.received.filter((r) => r.path === hook.path)).toHaveLength(1);
    await next.close();
  });
});

describe('a production server', () => {
  it('refuses http and targets at non-public addresses (IP literals: no lookup, no traffic)', async () => {
    const prod = await startServer({
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        ENFORCER_ISSUER: 'https://auth.example.com/api/v1/enforcer',
        SMTP_URL: 'smtp://127.0.0.1:9',
        ENFORCER_MASTER_KEY: fastWorker.ENFORCER_MASTER_KEY,
        WEBHOOK_WORKER: 'false',
      },
    });
    const p = await seedTenant(prod);
    for (const url of [
      'http://localhost:3000/hook',
      'http://127.0.0.1:9/hook',
      'https://127.0.0.1/hook',
      'https://10.0.0.1/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/hook',
      'https://[::1]/hook',
      'https://[fd00::1]/hook',
      'https://224.0.0.1/hook',
    ]) {
      const refused = await prod.api('POST', '/webhooks/endpoints', {
        token: p.owner.token,
        body: { url, event_types: ['*'] },
      });
      expect(refused.status, url).toBe(400);
      expect(refused.body.code, url).toBe('webhook_url_refused');
    }
    expect(await prod.db.records('webhookEndpoints').count({ tenant: p.tenant.id })).toBe(0);
    await prod.close();
  });
});
