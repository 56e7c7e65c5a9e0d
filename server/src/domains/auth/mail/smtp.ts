import nodemailer, { type Transporter } from 'nodemailer';
import { headerSafe, type MailDelivery, type MailMessage } from './mail-delivery.js';

export interface SmtpMailDeliveryOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://host:465` (TLS). */
  url: string;
  /** The sender, e.g. `Enforcer <no-reply@example.com>`. */
  from: string;
  /** Upper bound for connecting, the greeting and each socket read (default 10 s): a request waits on it. */
  timeoutMs?: number;
}

/** Sends through an SMTP server with nodemailer (pooled connections, bounded timeouts). */
export class SmtpMailDelivery implements MailDelivery {
  readonly kind = 'smtp';
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(options: SmtpMailDeliveryOptions) {
    const timeout = options.timeoutMs ?? 10_000;
    this.#transport = nodemailer.createTransport({
      url: options.url,
      pool: true,
      maxConnections: 3,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 3,
    });
    this.#from = options.from;
  }

  async send(message: MailMessage): Promise<void> {
    await this.#transport.sendMail({
      from: message.from ? headerSafe(message.from) : this.#from,
      to: message.to,
      subject: headerSafe(message.subject),
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
    });
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
