import { messageKindChannel } from '@enforcer/contract';
import type { SecretSealer } from '../mfa/sealer.js';
import type { Clock, RandomSource } from '../platform.js';
import type { Repositories } from '../store.js';
import { type ComposeInput, composeMail, type RenderedMail } from './compose.js';

export interface MessageOutboxDeps {
  /** Seals the rendered message at rest (the server: AES-256-GCM under a sub-key of its master key). */
  sealer: SecretSealer;
  clock: Clock;
  random: RandomSource;
  /** Told once the unit of work that queued a message has committed (the server's worker looks at once). */
  onQueued?(): void;
}

/** The associated data of a message's sealed payload: it opens only as that message's. */
export const messagePayloadAad = (id: string) => `message:${id}`;

/** The associated data of a tenant's sealed SMS gateway token. */
export const smsGatewayTokenAad = (tenantId: string) => `messaging:${tenantId}:sms_gateway_token`;

/** The associated data of a tenant's sealed SMTP password. */
export const smtpPasswordAad = (tenantId: string) => `messaging:${tenantId}:smtp_password`;

/** A text ready to leave: one phone number (E.164) and the rendered text. */
export interface RenderedSms {
  to: string;
  text: string;
}

/**
 * What an outbox row's sealed payload holds: a rendered mail or a rendered text. A payload without
 * `channel` (queued before texts went through the outbox) is a mail.
 */
export type SealedMessage =
  | ({ channel?: 'email' | undefined } & RenderedMail)
  | ({ channel: 'sms' } & RenderedSms);

/**
 * Queues a message in the outbox, in the caller's unit of work: it exists if and only if what caused it
 * commits, and the request never waits on a mail server or an SMS gateway (the delivery worker sends it,
 * with retries). The kind says the channel (`sms_` kinds are texts, `messageKindChannel`); a text is the
 * rendered text body of its template. The rendered message (a code or a link in it) is stored sealed, and
 * deleted once delivered.
 */
export async function queueMessage(
  repos: Repositories,
  deps: MessageOutboxDeps,
  input: ComposeInput,
): Promise<{ id: string; locale: string }> {
  const { locale, ...mail } = await composeMail(repos, input);
  const id = deps.random.uuid();
  const now = deps.clock.now();
  const payload: SealedMessage =
    messageKindChannel[input.kind] === 'sms'
      ? { channel: 'sms', to: mail.to, text: mail.text.trim() }
      : { channel: 'email', ...mail };
  await repos.messaging.enqueue({
    id,
    tenantId: input.tenant?.id ?? null,
    kind: input.kind,
    payloadSealed: await deps.sealer.seal(JSON.stringify(payload), messagePayloadAad(id)),
    attempts: 0,
    nextAttemptAt: now,
    lockedUntil: null,
    createdAt: now,
  });
  return { id, locale };
}

/** `queueMessage` of a mail kind (the name the mail senders use). */
export const queueMail = queueMessage;

/** A tenant's own SMS gateway, its token opened (null: the tenant texts through the deployment's). */
export interface TenantSmsSender {
  url: string;
  token: string | null;
  from: string | null;
}

/** The tenant's SMS gateway from its messaging settings, or null when it has none. */
export async function tenantSmsSender(
  repos: Repositories,
  sealer: SecretSealer,
  tenantId: string,
): Promise<TenantSmsSender | null> {
  const settings = await repos.messaging.settings(tenantId);
  if (!settings?.smsGatewayUrl) return null;
  return {
    url: settings.smsGatewayUrl,
    token: settings.smsGatewayTokenSealed
      ? await sealer.open(settings.smsGatewayTokenSealed, smsGatewayTokenAad(tenantId))
      : null,
    from: settings.smsFrom,
  };
}
