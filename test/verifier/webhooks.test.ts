// verifyWebhook (@enforcer/node-verifier) against deliveries signed by the `standardwebhooks` library,
// and the Standard Webhooks specification's published test vector.
import { randomBytes } from 'node:crypto';
import type { WebhookEvent } from '@enforcer/contract';
import { verifyWebhook, WebhookVerificationError } from '@enforcer/node-verifier';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

const event: WebhookEvent<'account.status_changed'> = {
  id: '0b0f5f8e-6a6b-4d53-9d0e-1f3c2a8e7b11',
  type: 'account.status_changed',
  timestamp: '2026-12-06T18:00:00.000Z',
  tenant_id: '6f1b9a2c-3d4e-4f50-8a61-7b8c9d0e1f23',
  data: {
    account_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    from: 'active',
    to: 'banned',
    reason: 'fraud',
  },
};

/** A delivery as Enforcer sends it, signed by the reference library. */
function signed(secrets: string[], body = JSON.stringify(event), at = new Date()) {
  const signature = secrets.map((s) => new Webhook(s).sign(event.id, at, body)).join(' ');
  return {
    body,
    headers: {
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).code;
};

describe('verifyWebhook', () => {
  it('returns the typed event of a delivery signed with standardwebhooks (a Fetch Request, or headers and raw body)', async () => {
    const secret = newSecret();
    const delivery = signed([secret]);
    const fromRequest = await verifyWebhook(
      new Request('https://app.example/hooks', {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      }),
      secret,
    );
    expect(fromRequest).toEqual(event);
    if (fromRequest.type === 'account.status_changed') expect(fromRequest.data.to).toBe('banned');
    expect(
      await verifyWebhook({ headers: delivery.headers, body: Buffer.from(delivery.body) }, secret),
    ).toEqual(event);
    expect(
      await verifyWebhook({ headers: new Headers(delivery.headers), body: delivery.body }, secret),
    ).toEqual(event);
  });

  it('refuses a changed body, another secret, a stale timestamp, missing headers', async () => {
    const secret = newSecret();
    const delivery = signed([secret]);
    const changed = delivery.body.replace('banned', 'active');
    expect(await refusal(verifyWebhook({ headers: delivery.headers, body: changed }, secret))).toBe(
      'bad_signature',
    );
    expect(await refusal(verifyWebhook(delivery, newSecret()))).toBe('bad_signature');
    const old = signed([secret], JSON.stringify(event), new Date(Date.now() - 10 * 60_000));
    expect(await refusal(verifyWebhook(old, secret))).toBe('timestamp_out_of_range');
    expect(await verifyWebhook(old, secret, { toleranceSeconds: 3600 })).toEqual(event);
    const { 'webhook-signature': _dropped, ...unsigned } = delivery.headers;
    expect(await refusal(verifyWebhook({ headers: unsigned, body: delivery.body }, secret))).toBe(
      'missing_headers',
    );
    // A signature of the right length but wrong bytes.
    const forged = { ...delivery.headers, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` };
    expect(await refusal(verifyWebhook({ headers: forged, body: delivery.body }, secret))).toBe(
      'bad_signature',
    );
  });

  it('accepts either secret while a rotation overlaps (several signatures in one header)', async () => {
    const [previous, current] = [newSecret(), newSecret()];
    const delivery = signed([previous, current]);
    expect(await verifyWebhook(delivery, current)).toEqual(event);
    expect(await verifyWebhook(delivery, previous)).toEqual(event);
    expect(await verifyWebhook(signed([current]), [previous, current])).toEqual(event);
  });

  it("checks the signature of the specification's test vector, then refuses its body (not an Enforcer event)", async () => {
    const vector = {
      headers: {
        'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        'webhook-timestamp': '1614265330',
        'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      },
      body: '{"test": 2432232314}',
    };
    const at = () => 1614265330 * 1000;
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(await refusal(verifyWebhook(vector, secret, { now: at }))).toBe('malformed_event');
    expect(await refusal(verifyWebhook(vector, newSecret(), { now: at }))).toBe('bad_signature');
  });
});
