// Verifying Enforcer's outbound webhooks (Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`, keyed
// with the `whsec_` secret's bytes), then parsing the body with the contract's event schemas.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type WebhookEvent, webhookEventSchema } from '@enforcer/contract';

export type { WebhookEvent, WebhookEventData, WebhookEventType } from '@enforcer/contract';
export { webhookEventTypes } from '@enforcer/contract';

export const webhookVerificationErrorCodes = [
  /** A `webhook-id`, `webhook-timestamp` or `webhook-signature` header is missing or malformed. */
  'missing_headers',
  /** `webhook-timestamp` is further from now than the tolerance (a replayed or delayed request). */
  'timestamp_out_of_range',
  /** No signature in `webhook-signature` matches the body under any of the secrets. */
  'bad_signature',
  /** Signed, but the body is not an event of the catalogue. */
  'malformed_event',
] as const;
export type WebhookVerificationErrorCode = (typeof webhookVerificationErrorCodes)[number];

export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationErrorCode;

  constructor(code: WebhookVerificationErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

/** A received webhook: a Fetch `Request`, or the headers and the raw body (never re-serialised JSON). */
export type WebhookRequest =
  | Request
  | {
      headers: Headers | Record<string, string | string[] | undefined>;
      /** The body exactly as received (express.raw(), Fastify's raw body, ...). */
      body: string | Uint8Array;
    };

export interface VerifyWebhookOptions {
  /** Seconds `webhook-timestamp` may be away from now (default 300, as the Standard Webhooks libraries). */
  toleranceSeconds?: number;
  /** Now, for tests (default `Date.now()`). */
  now?: () => number;
}

const PREFIX = 'whsec_';

const header = (headers: Headers | Record<string, string | string[] | undefined>, name: string) => {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

const secretKey = (secret: string): Buffer =>
  Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');

/**
 * Verifies a webhook from Enforcer and returns its typed event: `secret` is the endpoint's `whsec_`
 * secret (or several, e.g. during a rotation). Throws `WebhookVerificationError` otherwise. Deduplicate
 * on `event.id` (the `webhook-id` header): a delivery may arrive more than once.
 */
export async function verifyWebhook(
  request: WebhookRequest,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  const body =
    request instanceof Request
      ? await request.text()
      : typeof request.body === 'string'
        ? request.body
        : Buffer.from(request.body).toString('utf8');
  const id = header(request.headers, 'webhook-id');
  const timestamp = header(request.headers, 'webhook-timestamp');
  const signatures = header(request.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) {
    throw new WebhookVerificationError(
      'missing_headers',
      'webhook-id, webhook-timestamp and webhook-signature are required',
    );
  }
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now?.() ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError('timestamp_out_of_range', 'webhook-timestamp is too far from now');
  }
  const signed = `${id}.${timestamp}.${body}`;
  const expected = (Array.isArray(secret) ? secret : [secret as string]).map((s) =>
    createHmac('sha256', secretKey(s)).update(signed).digest(),
  );
  const presented = signatures
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'));
  const matches = presented.some((sig) =>
    expected.some((mac) => sig.length === mac.length && timingSafeEqual(sig, mac)),
  );
  if (!matches) throw new WebhookVerificationError('bad_signature', 'no signature matches the body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new WebhookVerificationError('malformed_event', 'the body is not JSON', { cause: error });
  }
  const event = webhookEventSchema.safeParse(parsed);
  if (!event.success) {
    throw new WebhookVerificationError('malformed_event', 'the body is not an Enforcer event', {
      cause: event.error,
    });
  }
  return event.data as WebhookEvent;
}
