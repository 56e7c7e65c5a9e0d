// A real HTTP receiver on 127.0.0.1 for webhook tests: records every request, verifies its Standard
// Webhooks signature with the `standardwebhooks` library against the secrets a test registered for its
// path, and answers what the test scripted (default 200).
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
  /** The status the receiver answered. */
  answered: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  received: ReceivedWebhook[];
  /** Secrets a path's deliveries are verified against. */
  secrets: Map<string, string[]>;
  /** Statuses to answer on a path, in order (then 200). */
  script: Map<string, number[]>;
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
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const answered = script.get(path)?.shift() ?? 200;
      received.push({
        path,
        headers: req.headers,
        body,
        event: webhookEventSchema.parse(JSON.parse(body)) as WebhookEvent,
        verifiedWith: verifiedBy(secrets.get(path) ?? [], body, req.headers),
        answered,
      });
      res.writeHead(answered, { 'content-type': 'text/plain' });
      res.end(answered === 200 ? 'ok' : `failing on purpose (${answered})`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: WebhookReceiver = {
    origin: `http://127.0.0.1:${port}`,
    received,
    secrets,
    script,
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  afterAll(() => receiver.close());
  return receiver;
}
