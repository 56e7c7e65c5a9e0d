import type { TenantSmsSender } from '@enforcer/core';
import { sendWebhook } from '../../webhooks/send.js';
import { resolvePublicTarget, systemResolver } from '../../webhooks/ssrf.js';
import { SMS_GATEWAY_TIMEOUT_MS } from './http-gateway.js';
import type { SmsMessage } from './sms-delivery.js';

/**
 * One text through a tenant's own gateway: `POST { to, text, from? }` with its bearer token. In production
 * the gateway must resolve to a public address, checked now, and the connection goes to the address
 * checked. Rejects on anything but a 2xx (the gateway's answer is not logged: it may echo the text).
 */
export async function sendThroughTenantGateway(
  sender: TenantSmsSender,
  message: SmsMessage,
  production: boolean,
): Promise<void> {
  const url = new URL(sender.url);
  const address = production ? await resolvePublicTarget(url, systemResolver) : null;
  const outcome = await sendWebhook({
    url,
    address,
    timeoutMs: SMS_GATEWAY_TIMEOUT_MS,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(sender.token ? { authorization: `Bearer ${sender.token}` } : {}),
    },
    body: JSON.stringify({
      to: message.to,
      text: message.text,
      ...(sender.from ? { from: sender.from } : {}),
    }),
  });
  if (outcome.kind !== 'answered') throw new Error(`The tenant's SMS gateway failed: ${outcome.message}`);
  if (outcome.status < 200 || outcome.status >= 300) {
    throw new Error(`The tenant's SMS gateway answered ${outcome.status}`);
  }
}
