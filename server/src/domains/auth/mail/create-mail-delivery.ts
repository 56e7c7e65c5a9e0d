import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../../config.js';
import { DevelopmentMailDelivery } from './development.js';
import type { MailDelivery } from './mail-delivery.js';
import { SmtpMailDelivery } from './smtp.js';

/** SMTP when `SMTP_URL` is set (always in production: config refuses to start without it), else the log. */
export function createMailDelivery(config: Config, logger: FastifyBaseLogger): MailDelivery {
  if (config.mail.smtpUrl) return new SmtpMailDelivery({ url: config.mail.smtpUrl, from: config.mail.from });
  return new DevelopmentMailDelivery(logger);
}
