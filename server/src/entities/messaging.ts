import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Tenant } from './tenants.js';

/** A tenant's mail sender settings (#16). The SMTP password sealed with AES-256-GCM, never in clear. */
export const MessagingSetting = defineEntity({
  name: 'MessagingSetting',
  tableName: 'messaging_setting',
  properties: {
    tenant: () => p.manyToOne(Tenant).primary().deleteRule('cascade'),
    /** Without its password (that is `smtpPasswordSealed`). */
    smtpUrl: p.text().nullable(),
    smtpPasswordSealed: p.text().nullable(),
    fromAddress: p.text().nullable(),
    defaultLocale: p.text(),
    /** The tenant's HTTP SMS gateway; its bearer token sealed. */
    smsGatewayUrl: p.text().nullable(),
    smsGatewayTokenSealed: p.text().nullable(),
    smsFrom: p.text().nullable(),
    updatedAt: p.datetime(),
  },
});
export type IMessagingSetting = InferEntity<typeof MessagingSetting>;

/** A tenant's own template of one message kind and locale. */
export const MessageTemplate = defineEntity({
  name: 'MessageTemplate',
  tableName: 'message_template',
  properties: {
    tenant: () => p.manyToOne(Tenant).primary().deleteRule('cascade'),
    kind: p.text().primary(),
    locale: p.text().primary(),
    subject: p.text(),
    textBody: p.text(),
    htmlBody: p.text().nullable(),
    updatedAt: p.datetime(),
  },
});
export type IMessageTemplate = InferEntity<typeof MessageTemplate>;

/**
 * The mail outbox: a message written in the transaction of what caused it, its rendered content sealed,
 * deleted once delivered (or given up). No tenant: the deployment's sender.
 */
export const OutboundMessage = defineEntity({
  name: 'OutboundMessage',
  tableName: 'outbound_message',
  properties: {
    id: p.uuid().primary(),
    tenant: () => p.manyToOne(Tenant).nullable().deleteRule('cascade'),
    kind: p.text(),
    payloadSealed: p.text(),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime(),
    /** A worker holds the message until then (an attempt in flight); a crashed worker's lease runs out. */
    lockedUntil: p.datetime().nullable(),
    createdAt: p.datetime(),
  },
  indexes: [{ properties: ['nextAttemptAt'] }],
});
export type IOutboundMessage = InferEntity<typeof OutboundMessage>;
