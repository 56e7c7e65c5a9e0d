import type { FastifyBaseLogger } from 'fastify';
import type { MailDelivery, MailMessage } from './mail-delivery.js';

/**
 * Development delivery: nothing leaves the machine. Each message is logged (codes included: this is how a
 * developer reads them without an SMTP server) and kept in a small in-memory outbox, newest last.
 */
export class DevelopmentMailDelivery implements MailDelivery {
  readonly kind = 'development';
  readonly #logger: FastifyBaseLogger;
  readonly #outbox: MailMessage[] = [];
  readonly #keep: number;

  constructor(logger: FastifyBaseLogger, options: { keep?: number } = {}) {
    this.#logger = logger;
    this.#keep = options.keep ?? 100;
  }

  async send(message: MailMessage): Promise<void> {
    this.#outbox.push({ ...message });
    if (this.#outbox.length > this.#keep) this.#outbox.shift();
    this.#logger.info({ mail: { to: message.to, subject: message.subject }, body: message.text }, 'mail');
  }

  /** The messages sent so far (a copy), oldest first. */
  get outbox(): MailMessage[] {
    return [...this.#outbox];
  }

  async close(): Promise<void> {}
}
