import type { RenderedSms, SmsTransport, TenantSmsSender } from '@enforcer/core';
import type { SmsDelivery } from '../auth/sms/sms-delivery.js';
import { sendThroughTenantGateway } from '../auth/sms/tenant-gateway.js';

/**
 * The server's SMS transports for the outbox worker: a tenant's own HTTP gateway (its token opened from
 * the sealed settings for this attempt only; in production a public address only, checked before every
 * attempt), else the deployment's (`SMS_GATEWAY_URL`, or the development log outside production).
 */
export class ServerSmsTransport implements SmsTransport {
  readonly #deployment: SmsDelivery;
  readonly #production: boolean;

  constructor(options: { deployment: SmsDelivery; production: boolean }) {
    this.#deployment = options.deployment;
    this.#production = options.production;
  }

  async send(sms: RenderedSms, sender: TenantSmsSender | null): Promise<void> {
    if (!sender) return this.#deployment.send(sms);
    return sendThroughTenantGateway(sender, sms, this.#production);
  }
}
