import type { SecretSealer } from '../mfa/sealer.js';
import type { Clock, RandomSource } from '../platform.js';
import type { UnitOfWork } from '../store.js';
import type { RenderedMail } from './compose.js';
import {
  messagePayloadAad,
  type RenderedSms,
  type SealedMessage,
  smsGatewayTokenAad,
  smtpPasswordAad,
  type TenantSmsSender,
} from './outbox.js';
import type { MessagingSettingsRecord, OutboundMessageRecord } from './ports.js';

/** Which server a mail leaves through: the tenant's (its URL and password) or, with nulls, the deployment's. */
export interface MailSender {
  smtpUrl: string | null;
  smtpPassword: string | null;
  from: string | null;
}

/** The transports (a platform port: the server's SMTP clients; resolves once the server accepted the mail). */
export interface MailTransport {
  send(mail: RenderedMail, sender: MailSender): Promise<void>;
}

/**
 * The SMS transports (a platform port: the server's HTTP gateways). `sender` is the tenant's own gateway,
 * its token opened, or null for the deployment's. Resolves once the gateway accepted the text (a 2xx).
 */
export interface SmsTransport {
  send(sms: RenderedSms, sender: TenantSmsSender | null): Promise<void>;
}

export interface MessageDeliveryDeps {
  uow: UnitOfWork;
  clock: Clock;
  random: RandomSource;
  sealer: SecretSealer;
  transport: MailTransport;
  /** Texts (`sms_` kinds); without it a queued text fails its attempts (and is given up, logged). */
  sms?: SmsTransport;
  /** The first retry's delay; each next one 4 times longer (at most an hour), ±20%. */
  retryBaseMs: number;
  /** Attempts before a message is given up (and deleted). */
  maxAttempts: number;
  /** How long an attempt may hold a message before another worker may take it again. */
  leaseMs: number;
  log?(message: string, error?: unknown): void;
}

const MAX_DELAY_MS = 60 * 60 * 1000;

/** The delay before attempt `attempts + 1`: base·4^(n−1), at most an hour, ±20% jitter. */
export function messageRetryDelayMs(baseMs: number, attempts: number, random: () => number): number {
  const exact = Math.min(MAX_DELAY_MS, baseMs * 4 ** Math.max(0, attempts - 1));
  return Math.round(exact * (0.8 + 0.4 * random()));
}

/**
 * One pass of the outbox: leases up to `limit` due messages and delivers them. A delivered message is
 * deleted (its sealed body with it); a failed one is tried again later with exponential backoff, and
 * deleted after the last attempt. Returns how many it attempted.
 */
export async function deliverDueMessages(deps: MessageDeliveryDeps, limit = 20): Promise<number> {
  const now = deps.clock.now();
  const claimed = await deps.uow.transaction((repos) =>
    repos.messaging.claimDue(now, new Date(now.getTime() + deps.leaseMs), limit),
  );
  await Promise.all(claimed.map((message) => deliverOne(deps, message)));
  return claimed.length;
}

async function deliverOne(deps: MessageDeliveryDeps, message: OutboundMessageRecord): Promise<void> {
  let failure: unknown;
  let delivered = false;
  try {
    const sealed = JSON.parse(
      await deps.sealer.open(message.payloadSealed, messagePayloadAad(message.id)),
    ) as SealedMessage;
    const settings = message.tenantId
      ? await deps.uow.read((repos) => repos.messaging.settings(message.tenantId!))
      : null;
    if (sealed.channel === 'sms') {
      if (!deps.sms) throw new Error('No SMS transport: the text cannot be sent');
      const sender: TenantSmsSender | null = settings?.smsGatewayUrl
        ? {
            url: settings.smsGatewayUrl,
            token: settings.smsGatewayTokenSealed
              ? await deps.sealer.open(settings.smsGatewayTokenSealed, smsGatewayTokenAad(settings.tenantId))
              : null,
            from: settings.smsFrom,
          }
        : null;
      await deps.sms.send({ to: sealed.to, text: sealed.text }, sender);
    } else {
      const { channel: _, ...mail } = sealed;
      await deliverMail(deps, mail, settings);
    }
    delivered = true;
  } catch (error) {
    failure = error;
  }
  await record(deps, message, delivered, failure);
}

async function deliverMail(
  deps: MessageDeliveryDeps,
  mail: RenderedMail,
  settings: MessagingSettingsRecord | null,
): Promise<void> {
  const smtpPassword =
    settings?.smtpUrl && settings.smtpPasswordSealed
      ? await deps.sealer.open(settings.smtpPasswordSealed, smtpPasswordAad(settings.tenantId))
      : null;
  await deps.transport.send(mail, {
    smtpUrl: settings?.smtpUrl ?? null,
    smtpPassword,
    from: settings?.from ?? null,
  });
}

async function record(
  deps: MessageDeliveryDeps,
  message: OutboundMessageRecord,
  delivered: boolean,
  failure: unknown,
): Promise<void> {
  try {
    if (delivered) {
      await deps.uow.transaction((repos) => repos.messaging.remove(message.id));
    } else if (message.attempts >= deps.maxAttempts) {
      deps.log?.(
        `message ${message.id} (${message.kind}) given up after ${message.attempts} attempts`,
        failure,
      );
      await deps.uow.transaction((repos) => repos.messaging.remove(message.id));
    } else {
      deps.log?.(`message ${message.id} (${message.kind}) not delivered; retried later`, failure);
      const delay = messageRetryDelayMs(
        deps.retryBaseMs,
        message.attempts,
        () => deps.random.bytes(1)[0]! / 256,
      );
      await deps.uow.transaction((repos) =>
        repos.messaging.retryAt(message.id, new Date(deps.clock.now().getTime() + delay)),
      );
    }
  } catch (error) {
    // Not recorded: the lease runs out and the message is attempted again (at least once).
    deps.log?.('recording a message attempt failed', error);
  }
}
