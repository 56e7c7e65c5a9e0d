import { webhookFilterMatches } from '@enforcer/contract';
import { type SecretSealer, signingSecrets } from '@enforcer/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { WebhooksConfig } from '../../config.js';
import type { Clock } from '../../lib/clock.js';
import type { RandomSource } from '../../lib/random.js';
import { recordAudit } from '../audit/record-audit.js';
import { type SendOutcome, sendWebhook, webhookSignature } from './send.js';
import { type HostResolver, resolvePublicTarget, systemResolver } from './ssrf.js';

/**
 * The delivery worker: PostgreSQL is the queue (`SELECT … FOR UPDATE SKIP LOCKED`, no extra service or
 * schema; docs/webhooks.md says why). Every server process may run one; each step is a short transaction:
 *
 * 1. fan-out: outbox events not yet fanned out (locked, skipped by other processes) become one delivery
 *    per enabled endpoint of their tenant whose filters match, in the transaction that marks them done
 *    (or deletes them, when no endpoint wants them);
 * 2. claim: endpoints with due deliveries are locked (`SKIP LOCKED`), and up to the per-endpoint cap
 *    minus what is in flight are leased (`locked_until`): no other process takes them while the lease
 *    lasts, and a process killed mid-delivery loses nothing (the lease runs out, the delivery is due again);
 * 3. send, outside any transaction, then record the answer: delivered, or the next attempt with
 *    exponential backoff and jitter, or failed after the last; an endpoint failing for days is disabled.
 */

export interface WebhookWorkerDeps {
  orm: MikroORM;
  clock: Clock;
  random: RandomSource;
  sealer: SecretSealer;
  config: WebhooksConfig;
  /** Production: targets must resolve to public addresses, checked before every attempt. */
  production: boolean;
  resolve?: HostResolver;
  /**
   * Tests only, never from configuration: which resolved addresses the delivery-time check lets through
   * (default: public ones), and the certificates trusted instead of Node's roots, so a test can deliver
   * in production mode to an HTTPS receiver on loopback under a made-up host name.
   */
  addressAllowed?: (address: string) => boolean;
  ca?: string[];
  log?: (message: string, error?: unknown) => void;
}

interface Claimed {
  deliveryId: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  attempts: number;
  payload: string;
  url: string;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
}

const FAN_OUT_BATCH = 200;
const PRUNE_BATCH = 1000;
/** How often a process prunes old events. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const CLAIM_ENDPOINTS = 20;
/** Attempts one process has in flight at most (over every endpoint). */
const MAX_IN_FLIGHT = 64;
/** The longest wait between two attempts. */
const MAX_DELAY_MS = 10 * 60 * 60 * 1000;
const BACKOFF_FACTOR = 5;

/** The delay before attempt `attempts + 1` (after `attempts` failures): base·5^(n−1), at most 10 h, ±20%. */
export function retryDelayMs(baseMs: number, attempts: number, random: () => number = Math.random): number {
  const exact = Math.min(MAX_DELAY_MS, baseMs * BACKOFF_FACTOR ** Math.max(0, attempts - 1));
  return Math.round(exact * (0.8 + 0.4 * random()));
}

/** A text[] / uuid[] literal for `= any(?::uuid[])` (ids only: no quoting needed). */
const pgArray = (values: string[]) => `{${values.join(',')}}`;

const run = <T = unknown[]>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T> =>
  em.getConnection().execute(sql, params, 'all', em.getTransactionContext()) as Promise<T>;

export class WebhookWorker {
  readonly #deps: WebhookWorkerDeps;
  readonly #resolve: HostResolver;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = true;
  #lastPrune = 0;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(deps: WebhookWorkerDeps) {
    this.#deps = deps;
    this.#resolve = deps.resolve ?? systemResolver;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops polling and waits for the attempts in flight to be recorded. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
    await Promise.all(this.#inFlight);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      // Attempts run on while the next pass looks for work: a slow endpoint holds up no other.
      const pass = this.#startPass();
      this.#running = pass;
      pass.then(
        (started) => this.#schedule(started.length > 0 ? 0 : this.#deps.config.pollIntervalMs),
        (error) => {
          this.#deps.log?.('webhook worker pass failed (retried at the next one)', error);
          this.#schedule(this.#deps.config.pollIntervalMs);
        },
      );
    }, delayMs);
    this.#timer.unref();
  }

  /** One pass, its attempts awaited: fan out, claim, deliver. Returns how many deliveries it attempted. */
  async runOnce(): Promise<number> {
    const started = await this.#startPass();
    await Promise.all(started);
    return started.length;
  }

  /** Fans out, claims what this process has room for, and starts those attempts (not awaited). */
  async #startPass(): Promise<Promise<void>[]> {
    const now = this.#deps.clock.now().getTime();
    if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      await this.prune();
    }
    await this.fanOut();
    const room = MAX_IN_FLIGHT - this.#inFlight.size;
    if (room <= 0) return [];
    return (await this.claim(room)).map((c) => {
      const attempt: Promise<void> = this.#deliver(c).finally(() => this.#inFlight.delete(attempt));
      this.#inFlight.add(attempt);
      return attempt;
    });
  }

  /**
   * Deletes events older than the retention (their deliveries go with them: `on delete cascade`), except
   * those with a delivery still pending; a batch at a time. Returns how many it deleted.
   */
  async prune(): Promise<number> {
    const { orm, clock, config } = this.#deps;
    const before = new Date(clock.now().getTime() - config.retentionSeconds * 1000);
    let total = 0;
    for (;;) {
      const deleted = await orm.em.fork().transactional((em) =>
        run<{ id: string }[]>(
          em,
          `delete from "webhook_event" where "id" in (
             select ev."id" from "webhook_event" ev
             where ev."fanned_out_at" is not null and ev."created_at" < ?
               and not exists (select 1 from "webhook_delivery" d where d."event_id" = ev."id" and d."status" = 'pending')
             order by ev."created_at" limit ${PRUNE_BATCH} for update skip locked
           ) returning "id"`,
          [before],
        ),
      );
      total += deleted.length;
      if (deleted.length < PRUNE_BATCH) return total;
    }
  }

  /** Turns outbox events into deliveries (one per matching endpoint); returns how many events it took. */
  async fanOut(): Promise<number> {
    const { orm, clock, random } = this.#deps;
    return orm.em.fork().transactional(async (em) => {
      // Timestamps come back as text from raw queries: read through `new Date`.
      const events = await run<{ id: string; tenant_id: string; type: string; created_at: string }[]>(
        em,
        `select "id", "tenant_id", "type", "created_at" from "webhook_event" where "fanned_out_at" is null
         order by "created_at" limit ${FAN_OUT_BATCH} for update skip locked`,
      );
      if (events.length === 0) return 0;
      const tenants = [...new Set(events.map((e) => e.tenant_id))];
      const endpoints = await run<
        { id: string; tenant_id: string; event_types: string[]; created_at: string }[]
      >(
        em,
        `select "id", "tenant_id", "event_types", "created_at" from "webhook_endpoint"
         where "enabled" and "tenant_id" = any(?::uuid[])`,
        [pgArray(tenants)],
      );
      const now = clock.now();
      const rows: unknown[][] = [];
      const wanted = new Set<string>();
      for (const event of events) {
        for (const endpoint of endpoints) {
          if (endpoint.tenant_id !== event.tenant_id) continue;
          // An endpoint gets the events that happened once it existed.
          if (new Date(endpoint.created_at).getTime() > new Date(event.created_at).getTime()) continue;
          if (!webhookFilterMatches(endpoint.event_types, event.type)) continue;
          rows.push([random.uuid(), event.tenant_id, endpoint.id, event.id, event.type, now, now]);
          wanted.add(event.id);
        }
      }
      if (rows.length > 0) {
        await run(
          em,
          `insert into "webhook_delivery" ("id", "tenant_id", "endpoint_id", "event_id", "event_type", "status",
           "attempts", "next_attempt_at", "created_at") values ${rows
             .map(() => `(?, ?, ?, ?, ?, 'pending', 0, ?, ?)`)
             .join(', ')}`,
          rows.flat(),
        );
      }
      const kept = events.filter((e) => wanted.has(e.id)).map((e) => e.id);
      const unwanted = events.filter((e) => !wanted.has(e.id)).map((e) => e.id);
      if (kept.length > 0) {
        await run(em, `update "webhook_event" set "fanned_out_at" = ? where "id" = any(?::uuid[])`, [
          now,
          pgArray(kept),
        ]);
      }
      // No endpoint wanted it (most events of most tenants): nothing could ever list or replay it.
      if (unwanted.length > 0) {
        await run(em, `delete from "webhook_event" where "id" = any(?::uuid[])`, [pgArray(unwanted)]);
      }
      return events.length;
    });
  }

  /**
   * Leases due deliveries, at most the per-endpoint cap in flight per endpoint across every process, and
   * at most `limit` in all.
   */
  async claim(limit = MAX_IN_FLIGHT): Promise<Claimed[]> {
    const { orm, clock, config } = this.#deps;
    return orm.em.fork().transactional(async (em) => {
      const now = clock.now();
      const leaseUntil = new Date(now.getTime() + config.timeoutMs + 30_000);
      const due = `d."status" = 'pending' and d."next_attempt_at" <= ? and (d."locked_until" is null or d."locked_until" <= ?)`;
      const endpoints = await run<
        {
          id: string;
          url: string;
          secret_sealed: string;
          previous_secret_sealed: string | null;
          previous_secret_expires_at: string | null;
        }[]
      >(
        em,
        `select e."id", e."url", e."secret_sealed", e."previous_secret_sealed", e."previous_secret_expires_at"
         from "webhook_endpoint" e
         where e."enabled" and exists (select 1 from "webhook_delivery" d where d."endpoint_id" = e."id" and ${due})
         limit ${CLAIM_ENDPOINTS} for update of e skip locked`,
        [now, now],
      );
      const claimed: Claimed[] = [];
      for (const endpoint of endpoints) {
        const room = limit - claimed.length;
        if (room <= 0) break;
        // The endpoint row is locked: counting what is in flight and leasing more is one step for everyone.
        const leased = await run<
          { id: string; tenant_id: string; event_id: string; attempts: number; payload: string }[]
        >(
          em,
          `with picked as (
             select d."id" from "webhook_delivery" d
             where d."endpoint_id" = ? and ${due}
             order by d."next_attempt_at", d."created_at"
             limit least(?, greatest(0, ? - (select count(*) from "webhook_delivery" x
               where x."endpoint_id" = ? and x."status" = 'pending' and x."locked_until" > ?)))
           )
           update "webhook_delivery" d set "locked_until" = ?, "attempts" = d."attempts" + 1, "last_attempt_at" = ?
           from picked, "webhook_event" ev
           where d."id" = picked."id" and ev."id" = d."event_id"
           returning d."id", d."tenant_id", d."event_id", d."attempts", ev."payload"`,
          [endpoint.id, now, now, room, config.concurrencyPerEndpoint, endpoint.id, now, leaseUntil, now],
        );
        for (const row of leased) {
          claimed.push({
            deliveryId: row.id,
            tenantId: row.tenant_id,
            endpointId: endpoint.id,
            eventId: row.event_id,
            attempts: row.attempts,
            payload: row.payload,
            url: endpoint.url,
            secretSealed: endpoint.secret_sealed,
            previousSecretSealed: endpoint.previous_secret_sealed,
            previousSecretExpiresAt: endpoint.previous_secret_expires_at
              ? new Date(endpoint.previous_secret_expires_at)
              : null,
          });
        }
      }
      return claimed;
    });
  }

  async #deliver(c: Claimed): Promise<void> {
    const { clock, sealer, config, production } = this.#deps;
    const now = clock.now();
    let outcome: SendOutcome;
    try {
      const url = new URL(c.url);
      // Checked again now (DNS may have changed since registration), and the connection goes to the
      // address checked.
      const address = production
        ? await resolvePublicTarget(url, this.#resolve, this.#deps.addressAllowed)
        : null;
      const secrets = await signingSecrets(
        sealer,
        {
          id: c.endpointId,
          secretSealed: c.secretSealed,
          previousSecretSealed: c.previousSecretSealed,
          previousSecretExpiresAt: c.previousSecretExpiresAt,
        },
        now,
      );
      const timestamp = Math.floor(now.getTime() / 1000);
      outcome = await sendWebhook({
        url,
        address,
        body: c.payload,
        timeoutMs: config.timeoutMs,
        ...(this.#deps.ca ? { ca: this.#deps.ca } : {}),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Enforcer-Webhooks/1',
          'webhook-id': c.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': webhookSignature(secrets, c.eventId, timestamp, c.payload),
        },
      });
    } catch (error) {
      outcome = { kind: 'error', message: error instanceof Error ? error.message : String(error) };
    }
    try {
      await this.#record(c, outcome);
    } catch (error) {
      // Not recorded: the lease runs out and the delivery is attempted again (at least once).
      this.#deps.log?.('recording a webhook attempt failed', error);
    }
  }

  async #record(c: Claimed, outcome: SendOutcome): Promise<void> {
    const { orm, clock, config, random } = this.#deps;
    await orm.em.fork().transactional(async (em) => {
      const now = clock.now();
      const ok = outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300;
      const status = outcome.kind === 'answered' ? outcome.status : null;
      const body = outcome.kind === 'answered' ? outcome.body : outcome.message.slice(0, 1024);
      if (ok) {
        await run(
          em,
          `update "webhook_delivery" set "status" = 'delivered', "locked_until" = null, "next_attempt_at" = null,
           "response_status" = ?, "response_body" = ? where "id" = ?`,
          [status, body, c.deliveryId],
        );
        await run(
          em,
          `update "webhook_endpoint" set "failing_since" = null where "id" = ? and "failing_since" is not null`,
          [c.endpointId],
        );
        return;
      }
      const giveUp = c.attempts >= config.maxAttempts;
      const next = giveUp
        ? null
        : new Date(
            now.getTime() + retryDelayMs(config.retryBaseMs, c.attempts, () => random.bytes(1)[0]! / 256),
          );
      await run(
        em,
        `update "webhook_delivery" set "status" = ?, "locked_until" = null, "next_attempt_at" = ?,
         "response_status" = ?, "response_body" = ? where "id" = ?`,
        [giveUp ? 'failed' : 'pending', next, status, body, c.deliveryId],
      );
      const [endpoint] = await run<{ failing_since: string; enabled: boolean }[]>(
        em,
        `update "webhook_endpoint" set "failing_since" = coalesce("failing_since", ?) where "id" = ?
         returning "failing_since", "enabled"`,
        [now, c.endpointId],
      );
      if (!endpoint?.enabled) return;
      const failingFor = now.getTime() - new Date(endpoint.failing_since).getTime();
      if (failingFor < config.disableAfterSeconds * 1000) return;
      const disabled = await run<{ id: string }[]>(
        em,
        `update "webhook_endpoint" set "enabled" = false, "disabled_reason" = 'failing', "updated_at" = ?
         where "id" = ? and "enabled" returning "id"`,
        [now, c.endpointId],
      );
      if (disabled.length === 0) return;
      recordAudit(em, clock, {
        action: 'webhook.endpoint.disabled',
        actor: { type: 'system' },
        tenantId: c.tenantId,
        target: { type: 'webhook_endpoint', id: c.endpointId },
        details: {
          reason: 'failing',
          failing_since: new Date(endpoint.failing_since).toISOString(),
          last_status: status,
        },
      });
    });
  }
}
