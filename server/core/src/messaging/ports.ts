import type { MessageKind } from '@enforcer/contract';

/** A tenant's mail sender settings as stored; the SMTP password sealed (`SecretSealer`), never in clear. */
export interface MessagingSettingsRecord {
  tenantId: string;
  /** The tenant's SMTP server without its password; null: the deployment's. */
  smtpUrl: string | null;
  smtpPasswordSealed: string | null;
  /** The sender (`Acme <no-reply@acme.example>`); null: the deployment's. */
  from: string | null;
  defaultLocale: string;
  /** The tenant's HTTP SMS gateway; null: the deployment's. */
  smsGatewayUrl: string | null;
  smsGatewayTokenSealed: string | null;
  smsFrom: string | null;
  updatedAt: Date;
}

/** A tenant's own template of one kind and locale. */
export interface MessageTemplateRecord {
  tenantId: string;
  kind: MessageKind;
  locale: string;
  subject: string;
  text: string;
  html: string | null;
  updatedAt: Date;
}

/**
 * One message waiting in the outbox. The rendered message (recipient, subject, bodies: a code or a link
 * among them) exists only sealed, and only until it is delivered or given up: then the row is deleted.
 */
export interface OutboundMessageRecord {
  id: string;
  /** The tenant whose sender settings apply (null: the deployment's, e.g. a code proving an address). */
  tenantId: string | null;
  kind: MessageKind;
  /** `SecretSealer.seal(JSON of SealedMail, 'message:<id>')`. */
  payloadSealed: string;
  /** Attempts started so far. */
  attempts: number;
  nextAttemptAt: Date;
  /** While an attempt is in flight: no other worker takes the message until then. */
  lockedUntil: Date | null;
  createdAt: Date;
}

/** The port to the messaging module's records and its outbox. */
export interface MessagingStore {
  settings(tenantId: string): Promise<MessagingSettingsRecord | null>;
  /** Inserts or replaces the tenant's settings. */
  saveSettings(settings: MessagingSettingsRecord): Promise<void>;
  template(tenantId: string, kind: MessageKind, locale: string): Promise<MessageTemplateRecord | null>;
  /** Inserts or replaces the tenant's template of its kind and locale. */
  saveTemplate(template: MessageTemplateRecord): Promise<void>;
  /** True when there was one to delete. */
  deleteTemplate(tenantId: string, kind: MessageKind, locale: string): Promise<boolean>;
  /** Adds a message to the outbox, with the unit of work that caused it. */
  enqueue(message: OutboundMessageRecord): Promise<void>;
  /**
   * Leases up to `limit` messages due at `now` (not leased by anyone else), oldest first: each one's
   * `attempts` is counted up and `lockedUntil` set to `leaseUntil`. Concurrent workers never lease the same one.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<OutboundMessageRecord[]>;
  /** Another attempt at `nextAttemptAt` (the lease released). */
  retryAt(id: string, nextAttemptAt: Date): Promise<void>;
  /** Deletes the message (delivered, or given up): its sealed payload goes with it. */
  remove(id: string): Promise<void>;
  /** The message, while it waits (tests and the mock). */
  findQueued(id: string): Promise<OutboundMessageRecord | null>;
}
