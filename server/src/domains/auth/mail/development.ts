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
  readonly #listeners = new Set<(message: MailMessage) => void>();

  constructor(logger: FastifyBaseLogger, options: { keep?: number } = {}) {
    this.#logger = logger;
    this.#keep = options.keep ?? 100;
  }

  async send(message: MailMessage): Promise<void> {
    this.#outbox.push({ ...message });
    if (this.#outbox.length > this.#keep) this.#outbox.shift();
    for (const listener of this.#listeners) listener({ ...message });
    this.#logger.info({ mail: { to: message.to, subject: message.subject }, body: message.text }, 'mail');
  }

  /** The messages sent so far (a copy), oldest first. */
  get outbox(): MailMessage[] {
    return [...this.#outbox];
  }

  /** Calls `listener` with every message sent from now on (tests and the bench read codes this way). */
  subscribe(listener: (message: MailMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {}
}
