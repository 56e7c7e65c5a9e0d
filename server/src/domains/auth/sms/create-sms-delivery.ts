import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../../config.js';
import { DevelopmentSms } from './development.js';
import { HttpSmsGateway } from './http-gateway.js';
import type { SmsDelivery } from './sms-delivery.js';

/** Production without a gateway: every send fails (phone codes answer 503), nothing is logged. */
class UnconfiguredSms implements SmsDelivery {
  readonly kind = 'unconfigured' as const;
  async send(): Promise<void> {
    throw new Error('No SMS gateway is configured (SMS_GATEWAY_URL)');
  }
}

/**
 * The adapter the configuration asks for: the HTTP gateway when `SMS_GATEWAY_URL` is set; otherwise the
 * development adapter (messages logged, code included), except in production, where nothing is sent.
 */
export function createSmsDelivery(config: Config, logger: FastifyBaseLogger): SmsDelivery {
  const { sms } = config.authMethods;
  if (sms.gatewayUrl) return new HttpSmsGateway({ url: sms.gatewayUrl, apiKey: sms.apiKey, from: sms.from });
  if (config.env === 'production') return new UnconfiguredSms();
  return new DevelopmentSms(logger);
}
