// The server's side of outbound webhooks (#16): SSRF rules with a stubbed resolver (no traffic leaves
// the machine), the retry schedule, and the worker's claim, delivery-time check and automatic disabling
// over a real PostgreSQL.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertWebhookTarget, newWebhookSecret } from '@enforcer/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { WebhooksConfig } from '../../config.js';
import { AuditEvent } from '../../entities/audit.js';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../../entities/webhooks.js';
import { ManualClock } from '../../lib/clock.js';
import { cryptoRandom } from '../../lib/random.js';
import { PostgresWebhookStore } from '../../stores/postgres/webhooks.js';
import { createTestOrm, seedAccount, testConfig } from '../../testing/index.js';
import {
  endpointWithDeliveries as deliveriesFixture,
  stubResolver,
} from '../../testing/webhook-worker-fixtures.js';
import { webhookSealer, webhookTargetRules } from './routes.js';
import { sendWebhook, webhookSignature } from './send.js';
import { isPublicAddress, resolvePublicTarget } from './ssrf.js';
import { retryDelayMs, WebhookWorker } from './worker.js';

const production = testConfig({
  NODE_ENV: 'production',
  ENFORCER_ISSUER: 'https://auth.example.com/api/v1/enforcer',
  SMTP_URL: 'smtp://mail.example.com',
  ENFORCER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
});

describe('SSRF rules', () => {
  it('tells public addresses from private, loopback, link-local, CGNAT, unique-local and multicast ones', () => {
    for (const address of [
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '127.0.0.1',
      '127.8.8.8',
      '0.0.0.0',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.255',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'not-an-ip',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });

  it('refuses a host with any non-public address, and one that does not resolve; IP literals need no lookup', async () => {
    const resolve = stubResolver({
      'internal.example': ['10.0.0.5'],
      'metadata.example': ['169.254.169.254'],
      'mixed.example': ['93.184.216.34', '127.0.0.1'],
      'v6-local.example': ['fd00::5'],
      'public.example': ['93.184.216.34'],
    });
    for (const host of [
      'internal.example',
      'metadata.example',
      'mixed.example',
      'v6-local.example',
      'gone.example',
    ]) {
      await expect(resolvePublicTarget(new URL(`https://${host}/hook`), resolve), host).rejects.toMatchObject(
        {
          code: 'webhook_url_refused',
        },
      );
    }
    expect(await resolvePublicTarget(new URL('https://public.example/hook'), resolve)).toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    resolve.asked.length = 0;
    for (const url of [
      'https://127.0.0.1/x',
      'https://[::1]/x',
      'https://10.0.0.1/x',
      'https://[fe80::1]/x',
    ]) {
      await expect(resolvePublicTarget(new URL(url), resolve), url).rejects.toMatchObject({
        code: 'webhook_url_refused',
      });
    }
    expect(resolve.asked).toEqual([]);
  });

  it('production: https to public hosts only; development and test: http to localhost too, nothing else in http', async () => {
    const resolve = stubResolver({
      'internal.example': ['192.168.0.10'],
      'public.example': ['93.184.216.34'],
    });
    const prod = webhookTargetRules(production, resolve);
    for (const url of [
      'http://localhost:3000/hook',
      'http://127.0.0.1/hook',
      'https://internal.example/hook',
    ]) {
      await expect(assertWebhookTarget(prod, url), url).rejects.toMatchObject({
        code: 'webhook_url_refused',
      });
    }
    await expect(assertWebhookTarget(prod, 'https://public.example/hook')).resolves.toBeUndefined();

    const dev = webhookTargetRules(testConfig(), resolve);
    for (const url of ['http://localhost:3000/hook', 'http://127.0.0.1:9/hook', 'http://[::1]:9/hook']) {
      await expect(assertWebhookTarget(dev, url), url).resolves.toBeUndefined();
    }
    for (const url of ['http://example.com/hook', 'http://10.0.0.1/hook', 'https://u:p@example.com/']) {
      await expect(assertWebhookTarget(dev, url), url).rejects.toMatchObject({ code: 'webhook_url_refused' });
    }
  });
});

describe('retry schedule', () => {
  it('grows 5x per attempt from the base, at most 10 hours, with ±20% jitter; the default spans about a day', () => {
    const base = 10_000;
    const exact = [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(base, n, () => 0.5));
    expect(exact).toEqual([10_000, 50_000, 250_000, 1_250_000, 6_250_000, 31_250_000, 36_000_000]);
    expect(retryDelayMs(base, 3, () => 0)).toBe(200_000);
    expect(retryDelayMs(base, 3, () => 0.999999)).toBeCloseTo(300_000, -1);
    // Eight attempts (the default): seven waits, 20.8 hours without jitter, 16.7 to 25 hours with it.
    const total = exact.reduce((a, b) => a + b, 0) / 3_600_000;
    expect(total).toBeGreaterThan(20);
    expect(total).toBeLessThan(22);
  });
});

describe('worker', async () => {
  const db = await createTestOrm();
  afterAll(() => db.close());
  const config = testConfig();
  const sealer = webhookSealer(config, cryptoRandom);
  const workerConfig = (overrides: Partial<WebhooksConfig> = {}): WebhooksConfig => ({
    ...config.webhooks,
    worker: true,
    retryBaseMs: 1,
    timeoutMs: 2000,
    ...overrides,
  });

  /** An endpoint of a fresh tenant and `count` events due for it, written through the store. */
  const endpointWithDeliveries = (url: string, count: number, clock: ManualClock) =>
    deliveriesFixture(db.orm, sealer, url, count, clock);

  it('fans out an event to the endpoints whose filters match, and deletes one no endpoint wants', async () => {
    const clock = new ManualClock();
    const { tenant } = await seedAccount(db.orm);
    const em = db.orm.em.fork();
    const store = new PostgresWebhookStore(em);
    const now = clock.now();
    const endpointId = cryptoRandom.uuid();
    await store.insertEndpoint({
      id: endpointId,
      tenantId: tenant.id,
      url: 'http://127.0.0.1:9/fan',
      eventTypes: ['group.*'],
      description: null,
      secretSealed: 'sealed',
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      enabled: true,
      disabledReason: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    });
    const ids = { group: cryptoRandom.uuid(), key: cryptoRandom.uuid() };
    em.create(WebhookEvent, {
      id: ids.group,
      tenant: tenant.id,
      type: 'group.member_added',
      payload: '{}',
      createdAt: now,
      fannedOutAt: null,
    });
    em.create(WebhookEvent, {
      id: ids.key,
      tenant: tenant.id,
      type: 'api_key.created',
      payload: '{}',
      createdAt: now,
      fannedOutAt: null,
    });
    await em.flush();
    const worker = new WebhookWorker({
      orm: db.orm,
      clock,
      random: cryptoRandom,
      sealer,
      config: workerConfig(),
      production: false,
    });
    expect(await worker.fanOut()).toBeGreaterThanOrEqual(2);
    const read = db.orm.em.fork();
    expect(await read.count(WebhookEvent, { id: ids.key })).toBe(0);
    expect((await read.findOneOrFail(WebhookEvent, ids.group)).fannedOutAt).toEqual(now);
    const deliveries = await read.find(WebhookDelivery, { endpoint: endpointId });
    expect(deliveries.map((d) => [d.event.id, d.status, d.attempts])).toEqual([[ids.group, 'pending', 0]]);
    // Fanned out once: a second pass adds nothing.
    await worker.fanOut();
    expect(await db.orm.em.fork().count(WebhookDelivery, { endpoint: endpointId })).toBe(1);
  });

  it('never has more than the per-endpoint cap in flight, across workers', async () => {
    const clock = new ManualClock();
    const { endpointId } = await endpointWithDeliveries('http://127.0.0.1:9/cap', 5, clock);
    const make = () =>
      new WebhookWorker({
        orm: db.orm,
        clock,
        random: cryptoRandom,
        sealer,
        config: workerConfig({ concurrencyPerEndpoint: 2 }),
        production: false,
      });
    const [one, two] = await Promise.all([make().claim(), make().claim()]);
    const mine = [...one, ...two].filter((c) => c.endpointId === endpointId);
    expect(mine).toHaveLength(2);
    expect(new Set(mine.map((c) => c.deliveryId)).size).toBe(2);
    // Still in flight: a third worker takes nothing more of this endpoint.
    expect((await make().claim()).filter((c) => c.endpointId === endpointId)).toEqual([]);
    // Once the leases run out (a worker killed mid-delivery), the deliveries are due again.
    clock.advance(60);
    expect((await make().claim()).filter((c) => c.endpointId === endpointId)).toHaveLength(2);
  });

  it('checks the address again at delivery time and never connects to a private one (production)', async () => {
    const clock = new ManualClock();
    const { endpointId } = await endpointWithDeliveries('https://rebound.example/hook', 1, clock);
    // Public at registration, private now (DNS rebinding).
    const resolve = stubResolver({ 'rebound.example': ['10.0.0.7'] });
    const worker = new WebhookWorker({
      orm: db.orm,
      clock,
      random: cryptoRandom,
      sealer,
      config: workerConfig({ maxAttempts: 1 }),
      production: true,
      resolve,
    });
    expect(await worker.runOnce()).toBeGreaterThanOrEqual(1);
    expect(resolve.asked).toContain('rebound.example');
    const [delivery] = await db.orm.em.fork().find(WebhookDelivery, { endpoint: endpointId });
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      responseStatus: null,
      nextAttemptAt: null,
    });
    expect(delivery!.responseBody).toMatch(/10\.0\.0\.7.*not a public address/);
  });

  it('disables an endpoint that has failed for longer than WEBHOOK_DISABLE_AFTER, with an audit event', async () => {
    // A port nobody listens on (loopback): every attempt fails to connect.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const clock = new ManualClock();
    const { endpointId, tenantId } = await endpointWithDeliveries(`http://127.0.0.1:${port}/down`, 1, clock);
    const worker = new WebhookWorker({
      orm: db.orm,
      clock,
      random: cryptoRandom,
      sealer,
      config: workerConfig({ disableAfterSeconds: 3600, maxAttempts: 10 }),
      production: false,
    });
    await worker.runOnce();
    const em = db.orm.em.fork();
    let endpoint = await em.findOneOrFail(WebhookEndpoint, endpointId);
    expect(endpoint.enabled).toBe(true);
    expect(endpoint.failingSince).toEqual(clock.now());
    clock.advance(3601);
    await worker.runOnce();
    endpoint = await db.orm.em.fork().findOneOrFail(WebhookEndpoint, endpointId);
    expect(endpoint).toMatchObject({ enabled: false, disabledReason: 'failing' });
    const events = await db.orm.em.fork().find(AuditEvent, { action: 'webhook.endpoint.disabled', tenantId });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorType: 'system', targetId: endpointId });
    // Disabled: its deliveries wait; nothing is claimed for it.
    clock.advance(3600);
    expect((await worker.claim()).filter((c) => c.endpointId === endpointId)).toEqual([]);
  });
});

describe('retention', async () => {
  const db = await createTestOrm();
  afterAll(() => db.close());
  const config = testConfig();

  it('deletes events past the retention with their deliveries, but never one with a delivery still pending', async () => {
    const clock = new ManualClock();
    const { tenant } = await seedAccount(db.orm);
    const store = new PostgresWebhookStore(db.orm.em.fork());
    const now = clock.now();
    const endpointId = cryptoRandom.uuid();
    await store.insertEndpoint({
      id: endpointId,
      tenantId: tenant.id,
      url: 'https://hooks.example/x',
      eventTypes: ['*'],
      description: null,
      secretSealed: 'sealed',
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      enabled: false,
      disabledReason: 'manual',
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    });
    const ids = { done: cryptoRandom.uuid(), waiting: cryptoRandom.uuid() };
    for (const [kind, id] of Object.entries(ids)) {
      await store.insertEvent({
        id,
        tenantId: tenant.id,
        type: 'webhook.test',
        payload: '{}',
        createdAt: now,
      });
      await store.insertDelivery({
        id: cryptoRandom.uuid(),
        tenantId: tenant.id,
        endpointId,
        eventId: id,
        eventType: 'webhook.test',
        status: kind === 'done' ? 'delivered' : 'pending',
        attempts: 1,
        nextAttemptAt: null,
        lastAttemptAt: now,
        responseStatus: 200,
        responseBody: 'ok',
        createdAt: now,
      });
    }
    const worker = new WebhookWorker({
      orm: db.orm,
      clock,
      random: cryptoRandom,
      sealer: webhookSealer(config, cryptoRandom),
      config: { ...config.webhooks, retentionSeconds: 86_400 },
      production: false,
    });
    expect(await worker.prune()).toBe(0);
    clock.advance(86_401);
    expect(await worker.prune()).toBe(1);
    const left = await db.orm.em
      .fork()
      .find(WebhookDelivery, { endpoint: endpointId }, { populate: ['event'] });
    expect(left.map((d) => d.event.id)).toEqual([ids.waiting]);
  });
});

describe('signatures', () => {
  it("match the Standard Webhooks specification's test vector, one per secret, space-separated", () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const vector = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
    expect(
      webhookSignature([secret], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'),
    ).toBe(vector);
    const two = webhookSignature(
      [newWebhookSecret(cryptoRandom), secret],
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(two.split(' ')).toHaveLength(2);
    expect(two.split(' ')[1]).toBe(vector);
  });
});

describe('sending', () => {
  it('gives up on an endpoint that answers too slowly, and keeps 1 KB of an answer', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/slow') {
        res.writeHead(200);
        res.write('partial');
        return; // never ends
      }
      res.writeHead(500);
      res.end('x'.repeat(5000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const send = (path: string) =>
        sendWebhook({
          url: new URL(`http://127.0.0.1:${port}${path}`),
          address: { address: '127.0.0.1', family: 4 },
          headers: { 'content-type': 'application/json' },
          body: '{}',
          timeoutMs: 300,
        });
      const started = Date.now();
      expect(await send('/slow')).toMatchObject({ kind: 'error' });
      expect(Date.now() - started).toBeLessThan(3000);
      const big = await send('/big');
      expect(big).toMatchObject({ kind: 'answered', status: 500 });
      expect(big.kind === 'answered' && big.body.length).toBe(1024);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
