import type { MailSender, MailTransport, RenderedMail } from '@enforcer/core';
import nodemailer from 'nodemailer';
import { headerSafe, type MailDelivery } from '../auth/mail/mail-delivery.js';
import { type HostResolver, resolvePublicTarget, systemResolver } from '../webhooks/ssrf.js';

export interface ServerMailTransportOptions {
  /** The deployment's delivery (`SMTP_URL`, or the development log): mail of tenants without their own server. */
  deployment: MailDelivery;
  /** The deployment's sender (`MAIL_FROM`): for a tenant's server when the tenant set no sender. */
  defaultFrom: string;
  /** Production: a tenant's SMTP host must resolve to public addresses (checked before every attempt). */
  production: boolean;
  resolve?: HostResolver;
  /** Upper bound for connecting, the greeting and each socket read on a tenant's server. */
  timeoutMs?: number;
}

/**
 * The server's mail transports: the deployment's, or a tenant's own SMTP server (a connection per message,
 * the tenant's password added from its sealed settings only here; in production to a public address only,
 * as webhooks are: a tenant cannot make Enforcer talk to the deployment's private network).
 */
export class ServerMailTransport implements MailTransport {
  readonly #o: ServerMailTransportOptions;

  constructor(options: ServerMailTransportOptions) {
    this.#o = options;
  }

  async send(mail: RenderedMail, sender: MailSender): Promise<void> {
    if (!sender.smtpUrl) {
      await this.#o.deployment.send({ ...mail, from: sender.from });
      return;
    }
    const url = new URL(sender.smtpUrl);
    const secure = url.protocol === 'smtps:';
    const port = url.port ? Number(url.port) : secure ? 465 : 587;
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const host = this.#o.production
      ? (await resolvePublicTarget(url, this.#o.resolve ?? systemResolver)).address
      : hostname;
    const timeout = this.#o.timeoutMs ?? 10_000;
    const transport = nodemailer.createTransport({
      host,
      port,
      secure,
      ...(url.username
        ? { auth: { user: decodeURIComponent(url.username), pass: sender.smtpPassword ?? '' } }
        : {}),
      // TLS checks the certificate against the name the tenant gave, not the address connected to.
      tls: { servername: hostname },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 3,
    });
    try {
      await transport.sendMail({
        from: headerSafe(sender.from ?? this.#o.defaultFrom),
        to: mail.to,
        subject: headerSafe(mail.subject),
        text: mail.text,
        ...(mail.html ? { html: mail.html } : {}),
      });
    } finally {
      transport.close();
    }
  }
}
