// #16 "nothing lost": a `kill -9` of a real server process (server/src/main.ts, as `pnpm start` runs it)
// between commit and delivery loses no webhook and no mail, and a fresh process on the same database
// delivers everything. The kill lands deterministically: the webhook receiver (on 127.0.0.1) processes
// the first deliveries but holds their answers back, so the dead process had leased them (in flight, their
// answers never recorded) while the others wait behind the per-endpoint cap; the SMTP server refuses the
// queued mail's first attempt, so it waits for its retry. The receiver verifies every delivery with the
// `standardwebhooks` library and keeps an idempotency set on `webhook-id`: each event is processed exactly
// once; the in-flight ones come again after the restart (at least once), with the same `webhook-id`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withPg } from '../support/index.js';
import { type EnforcerProcess, ownerAndApiKey, startEnforcer, waitFor } from './db-resilience-process.js';
import { startTestSmtpServer } from './smtp-server.js';
import { startWebhookReceiver } from './webhook-receiver.js';

const db = await createTestDatabase();
const receiver = await startWebhookReceiver();
const smtp = await startTestSmtpServer();
const env = {
  DATABASE_URL: db.url,
  // Shared by both processes: the second opens the endpoint's sealed secret and the first's tokens.
  ENFORCER_MASTER_KEY: randomBytes(32).toString('base64'),
  ENFORCER_ISSUER: 'https://auth.example.test/api/v1/enforcer',
  SMTP_URL: smtp.url,
  WEBHOOK_WORKER: 'true',
  WEBHOOK_POLL_INTERVAL_MS: '100',
  WEBHOOK_RETRY_BASE_MS: '200',
  // Held answers time out after 10 s (the kill lands well before); a lease lasts WEBHOOK_TIMEOUT_MS + 30 s,
  // so the dead process's in-flight deliveries are due again ~40 s after it leased them.
  WEBHOOK_TIMEOUT_MS: '10000',
  WEBHOOK_CONCURRENCY_PER_ENDPOINT: '2',
  MESSAGE_WORKER: 'true',
  MESSAGE_POLL_INTERVAL_MS: '100',
  // The refused mail is retried 6.4–9.6 s later: the kill lands well before.
  MESSAGE_RETRY_BASE_MS: '8000',
};
const started: EnforcerProcess[] = [];
const dataDirs: string[] = [];

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
  await smtp.close();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<EnforcerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'enforcer-outbox-kill-'));
  dataDirs.push(dir);
  const server = await startEnforcer(dir, env);
  started.push(server);
  return server;
}

const query = <T = unknown>(sql: string, params: unknown[] = []): Promise<T[]> =>
  withPg(db.url, async (client) => (await client.query(sql, params)).rows as T[]);

describe('kill -9 between commit and delivery', { timeout: 240_000 }, () => {
  it('loses no webhook and no mail: a new process delivers every event, each processed once by the receiver', async () => {
    const first = await start();
    const { token, apiKey, tenantCode } = await ownerAndApiKey(first.api);
    const path = '/after-kill';
    const endpoint = await first.api('POST', '/webhooks/endpoints', {
      apiKey,
      body: { url: `${receiver.origin}${path}`, event_types: ['api_key.*'] },
    });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    receiver.secrets.set(path, [endpoint.body.secret]);
    receiver.hold.add(path);

    // Six committed changes, six events written in their transactions (api_key.created ×5, .revoked ×1).
    const keyIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const key = await first.api('POST', '/api-keys', { token, body: { name: `kill-${i}` } });
      expect(key.status).toBe(201);
      keyIds.push(key.body.id);
    }
    expect((await first.api('DELETE', `/api-keys/${keyIds[0]}`, { token })).status).toBe(204);

    // Two deliveries in flight (the cap), processed by the receiver but not answered: the sender cannot
    // know they arrived. The other four wait behind the cap.
    const inFlight = await receiver.waitFor((r) => r.path === path, 2, 30_000);
    expect(inFlight.every((r) => r.held && r.verifiedWith.length === 1)).toBe(true);
    const before = await query<{ status: string; leased: boolean }>(
      `select "status", coalesce("locked_until" > now(), false) as "leased" from "webhook_delivery"
       where "endpoint_id" = $1`,
      [endpoint.body.id],
    );
    expect(before.filter((d) => d.status !== 'pending')).toEqual([]);
    expect(before.filter((d) => d.leased)).toHaveLength(2);
    // Every event is committed: in the outbox, or fanned out into a delivery.
    const events = await query<{ id: string; type: string }>(
      `select "id", "type" from "webhook_event" where "payload"::jsonb -> 'data' ->> 'api_key_id' = any($1::text[])`,
      [keyIds],
    );
    expect(events.map((e) => e.type).sort()).toEqual([
      ...Array(5).fill('api_key.created'),
      'api_key.revoked',
    ]);

    // A sign-in code for the tenant: queued in the request's transaction; the SMTP server refuses its
    // first attempt, so it is committed and waiting for its retry when the process dies.
    const mailTo = `kill-${randomBytes(4).toString('hex')}@example.com`;
    smtp.refuseNext(1_000);
    const code = await first.api('POST', '/auth/otp/request', {
      body: { email: mailTo, tenant_code: tenantCode },
    });
    expect(code.status).toBe(200);
    expect(
      await waitFor(async () => {
        const queued = await query<{ attempts: number; leased: boolean }>(
          `select "attempts", coalesce("locked_until" > now(), false) as "leased" from "outbound_message"`,
        );
        return queued.length === 1 && queued[0]!.attempts === 1 && !queued[0]!.leased;
      }, 15_000),
    ).toBe(true);

    // Still the same two requests: none of them timed out and came again before the kill.
    expect(receiver.received.filter((r) => r.path === path)).toHaveLength(2);
    first.child.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    smtp.refuseNext(0);
    receiver.hold.delete(path);
    expect(smtp.accepted.filter((m) => m.to.includes(mailTo))).toEqual([]);
    expect(receiver.processed.size).toBe(2);

    const second = await start();
    // Everything arrives once the dead process's leases run out (about 40 s after it took them).
    const all = await receiver.waitFor((r) => r.path === path && !r.held, 6, 120_000);
    const mail = await smtp.waitFor((m) => m.to.includes(mailTo), 60_000);
    expect(mail.raw).toMatch(/\d{6}/);
    await delay(1_500);

    const here = receiver.received.filter((r) => r.path === path);
    // Every delivery verified with the endpoint's secret (standardwebhooks).
    expect(here.filter((r) => r.verifiedWith.length !== 1)).toEqual([]);
    // Processed exactly once per event: the six events, no other.
    const processed = [...receiver.processed.values()].filter((r) => r.path === path);
    expect(processed.map((r) => r.headers['webhook-id']).sort()).toEqual(events.map((e) => e.id).sort());
    expect(processed.every((r) => r.event.id === r.headers['webhook-id'])).toBe(true);
    // Redelivered: exactly the two that were in flight, with the same webhook-id and body.
    const duplicates = here.filter((r) => r.duplicate);
    expect(duplicates.map((r) => r.headers['webhook-id']).sort()).toEqual(
      inFlight.map((r) => r.headers['webhook-id']).sort(),
    );
    for (const again of duplicates) {
      const original = inFlight.find((r) => r.headers['webhook-id'] === again.headers['webhook-id'])!;
      expect(again.body).toBe(original.body);
    }
    expect(here).toHaveLength(8);
    expect(all.length).toBe(6);

    const after = await query<{ event_id: string; status: string; attempts: number }>(
      `select "event_id", "status", "attempts" from "webhook_delivery" where "endpoint_id" = $1`,
      [endpoint.body.id],
    );
    expect(after.filter((d) => d.status !== 'delivered')).toEqual([]);
    const inFlightIds = new Set(inFlight.map((r) => String(r.headers['webhook-id'])));
    for (const d of after) expect(d.attempts, d.event_id).toBe(inFlightIds.has(d.event_id) ? 2 : 1);

    // The mail: delivered once, on the new process; its outbox row gone.
    expect(smtp.accepted.filter((m) => m.to.includes(mailTo))).toHaveLength(1);
    expect(await query('select 1 from "outbound_message"')).toEqual([]);
    // The new process serves the first one's data and its token (same issuer, same database).
    const deliveries = await second.api('GET', `/webhooks/endpoints/${endpoint.body.id}/deliveries`, {
      token,
    });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.data).toHaveLength(6);
  });
});
