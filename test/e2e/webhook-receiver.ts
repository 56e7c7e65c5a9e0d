// A real HTTP receiver on 127.0.0.1 for webhook tests: records every request, verifies its Standard
// Webhooks signature with the `standardwebhooks` library against the secrets a test registered for its
// path, keeps an idempotency set on `webhook-id` as a customer's backend should (a verified delivery whose
// id it has already processed is a duplicate: answered, not processed again), and answers what the test
// scripted (default 200), or holds the answer back (a receiver still working when the sender dies).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { type WebhookEvent, webhookEventSchema } from '@enforcer/contract';
import { Webhook } from 'standardwebhooks';
import { afterAll } from 'vitest';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed with the contract's schema (throws in the receiver when it does not parse). */
  event: WebhookEvent;
  /** Which of the path's secrets verified the signature (by index), none when it did not verify. */
  verifiedWith: number[];
  /** The status the receiver answered (or will answer, for a held request). */
  answered: number;
  /** Verified, and its `webhook-id` was already processed: answered without processing it again. */
  duplicate: boolean;
  /** Its answer was held back (the path was in `hold` when it arrived). */
  held: boolean;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  received: ReceivedWebhook[];
  /** Secrets a path's deliveries are verified against. */
  secrets: Map<string, string[]>;
  /** Statuses to answer on a path, in order (then 200). */
  script: Map<string, number[]>;
  /**
   * Paths whose requests are processed but not answered: the answer is held back until `release()` (or
   * until the sender goes away), as a receiver still working would.
   */
  hold: Set<string>;
  /** The first verified delivery of each `webhook-id` (the idempotency set). */
  processed: Map<string, ReceivedWebhook>;
  /** Answers every held request now. */
  release(): void;
  /** Waits until `count` requests matching `match` arrived (or throws after `timeoutMs`). */
  waitFor(
    match: (r: ReceivedWebhook) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

const verifiedBy = (secrets: string[], body: string, headers: IncomingHttpHeaders): number[] =>
  secrets.flatMap((secret, index) => {
    try {
      new Webhook(secret).verify(body, {
        'webhook-id': String(headers['webhook-id']),
        'webhook-timestamp': String(headers['webhook-timestamp']),
        'webhook-signature': String(headers['webhook-signature']),
      });
      return [index];
    } catch {
      return [];
    }
  });

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const secrets = new Map<string, string[]>();
  const script = new Map<string, number[]>();
  const hold = new Set<string>();
  const processed = new Map<string, ReceivedWebhook>();
  const held = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const answered = script.get(path)?.shift() ?? 200;
      const verifiedWith = verifiedBy(secrets.get(path) ?? [], body, req.headers);
      const id = String(req.headers['webhook-id']);
      const first = verifiedWith.length > 0 && answered === 200 && !processed.has(id);
      const got: ReceivedWebhook = {
        path,
        headers: req.headers,
        body,
        event: webhookEventSchema.parse(JSON.parse(body)) as WebhookEvent,
        verifiedWith,
        answered,
        duplicate: verifiedWith.length > 0 && processed.has(id),
        held: hold.has(path),
      };
      received.push(got);
      if (first) processed.set(id, got);
      const answer = () => {
        held.delete(answer);
        if (res.destroyed) return;
        res.writeHead(answered, { 'content-type': 'text/plain' });
        res.end(answered === 200 ? 'ok' : `failing on purpose (${answered})`);
      };
      if (!got.held) return answer();
      held.add(answer);
      res.on('close', () => held.delete(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: WebhookReceiver = {
    origin: `http://127.0.0.1:${port}`,
    received,
    secrets,
    script,
    hold,
    processed,
    release: () => {
      for (const answer of [...held]) answer();
    },
    waitFor: async (match, count = 1, timeoutMs = 15_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = received.filter(match);
        if (found.length >= count) return found;
        if (Date.now() > until) {
          throw new Error(`waited ${timeoutMs} ms for ${count} webhook(s), got ${found.length}`);
        }
        await delay(25);
      }
    },
    close: () =>
      new Promise((resolve) => {
        receiver.release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  afterAll(() => receiver.close());
  return receiver;
}
