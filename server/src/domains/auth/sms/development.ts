import type { FastifyBaseLogger } from 'fastify';
import type { SmsDelivery, SmsMessage } from './sms-delivery.js';

/** Development: messages go to the log (code included: that is how a developer reads it) and an outbox. */
export class DevelopmentSms implements SmsDelivery {
  readonly kind = 'development' as const;
  readonly outbox: SmsMessage[] = [];
  readonly #logger: FastifyBaseLogger;

  constructor(logger: FastifyBaseLogger) {
    this.#logger = logger;
  }

  async send(message: SmsMessage): Promise<void> {
    this.outbox.push(message);
    if (this.outbox.length > 50) this.outbox.shift();
    this.#logger.info({ sms: { to: message.to, body: message.text } }, 'development SMS (not sent)');
  }
}
