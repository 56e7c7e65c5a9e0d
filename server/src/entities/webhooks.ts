import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Tenant } from './tenants.js';

/**
 * A tenant's webhook endpoint. Its `whsec_` secret is sealed (AES-256-GCM under a sub-key of the master
 * key), as it must be recovered to sign; after a rotation the previous one keeps signing until
 * `previousSecretExpiresAt`.
 */
export const WebhookEndpoint = defineEntity({
  name: 'WebhookEndpoint',
  tableName: 'webhook_endpoint',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    url: p.text(),
    eventTypes: p.array(),
    description: p.text().nullable(),
    secretSealed: p.text(),
    previousSecretSealed: p.text().nullable(),
    previousSecretExpiresAt: p.datetime().nullable(),
    enabled: p.boolean().default(true),
    disabledReason: p.text().nullable(),
    /** The first failed attempt since the last success: an endpoint failing for days is disabled. */
    failingSince: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['tenant', 'createdAt'] }],
});
export type IWebhookEndpoint = InferEntity<typeof WebhookEndpoint>;

/**
 * The outbox: an event written in the transaction of the change it describes (with its audit event). The
 * worker fans it out to the endpoints subscribed when it happened (`fannedOutAt`).
 */
export const WebhookEvent = defineEntity({
  name: 'WebhookEvent',
  tableName: 'webhook_event',
  properties: {
    id: p.uuid().primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    type: p.text(),
    /** The exact body delivered (and signed), the same on every attempt. */
    payload: p.text(),
    createdAt: p.datetime(),
    fannedOutAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['fannedOutAt', 'createdAt'] }],
});
export type IWebhookEvent = InferEntity<typeof WebhookEvent>;

/** One event's delivery to one endpoint: its attempts and what the last one got back. */
export const WebhookDelivery = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_delivery',
  properties: {
    id: p.uuid().primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    endpoint: () => p.manyToOne(WebhookEndpoint).deleteRule('cascade'),
    event: () => p.manyToOne(WebhookEvent).deleteRule('cascade'),
    eventType: p.text(),
    /** `pending`, `delivered`, `failed`. */
    status: p.text(),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().nullable(),
    /** A worker holds the delivery until then (an attempt in flight); a crashed worker's lease runs out. */
    lockedUntil: p.datetime().nullable(),
    lastAttemptAt: p.datetime().nullable(),
    responseStatus: p.integer().nullable(),
    responseBody: p.text().nullable(),
    createdAt: p.datetime(),
  },
  indexes: [{ properties: ['endpoint', 'createdAt'] }, { properties: ['status', 'nextAttemptAt'] }],
});
export type IWebhookDelivery = InferEntity<typeof WebhookDelivery>;
