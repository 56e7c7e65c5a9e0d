import type {
  PageRequest,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
  WebhookEventRecord,
  WebhookStore,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant } from '../../entities/tenants.js';
import {
  type IWebhookDelivery,
  type IWebhookEndpoint,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
} from '../../entities/webhooks.js';
import { afterPosition, pageOrder } from '../../lib/pagination.js';

export const webhookEndpointRecord = (row: IWebhookEndpoint): WebhookEndpointRecord => ({
  id: row.id,
  tenantId: row.tenant.id,
  url: row.url,
  eventTypes: [...row.eventTypes],
  description: row.description ?? null,
  secretSealed: row.secretSealed,
  previousSecretSealed: row.previousSecretSealed ?? null,
  previousSecretExpiresAt: row.previousSecretExpiresAt ?? null,
  enabled: row.enabled,
  disabledReason: row.disabledReason ?? null,
  failingSince: row.failingSince ?? null,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const deliveryRecord = (row: IWebhookDelivery): WebhookDeliveryRecord => ({
  id: row.id,
  tenantId: row.tenant.id,
  endpointId: row.endpoint.id,
  eventId: row.event.id,
  eventType: row.eventType,
  status: row.status as WebhookDeliveryRecord['status'],
  attempts: row.attempts,
  nextAttemptAt: row.nextAttemptAt ?? null,
  lastAttemptAt: row.lastAttemptAt ?? null,
  responseStatus: row.responseStatus ?? null,
  responseBody: row.responseBody ?? null,
  createdAt: row.createdAt,
});

/** Webhook endpoints, the outbox and deliveries (`webhook_endpoint`, `webhook_event`, `webhook_delivery`). */
export class PostgresWebhookStore implements WebhookStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async insertEndpoint(endpoint: WebhookEndpointRecord): Promise<void> {
    const { tenantId, ...fields } = endpoint;
    this.#em.create(WebhookEndpoint, { ...fields, tenant: this.#em.getReference(Tenant, tenantId) });
    await this.#em.flush();
  }

  async listEndpoints(tenantId: string, page: PageRequest): Promise<WebhookEndpointRecord[]> {
    const rows = await this.#em.find(
      WebhookEndpoint,
      { $and: [{ tenant: tenantId }, afterPosition(page.after)] },
      { orderBy: pageOrder, limit: page.limit },
    );
    return rows.map(webhookEndpointRecord);
  }

  async findEndpoint(tenantId: string, id: string): Promise<WebhookEndpointRecord | null> {
    const row = await this.#em.findOne(WebhookEndpoint, { id, tenant: tenantId });
    return row ? webhookEndpointRecord(row) : null;
  }

  async updateEndpoint(
    id: string,
    fields: Partial<Omit<WebhookEndpointRecord, 'id' | 'tenantId' | 'createdAt'>>,
  ): Promise<void> {
    await this.#em.nativeUpdate(WebhookEndpoint, { id }, fields);
  }

  async deleteEndpoint(id: string): Promise<void> {
    await this.#em.nativeDelete(WebhookDelivery, { endpoint: id });
    await this.#em.nativeDelete(WebhookEndpoint, { id });
  }

  async insertEvent(event: WebhookEventRecord): Promise<void> {
    const { tenantId, ...fields } = event;
    // Written fanned out: the caller adds the deliveries it wants itself (a test event).
    this.#em.create(WebhookEvent, {
      ...fields,
      tenant: this.#em.getReference(Tenant, tenantId),
      fannedOutAt: event.createdAt,
    });
    await this.#em.flush();
  }

  async insertDelivery(delivery: WebhookDeliveryRecord): Promise<void> {
    const { tenantId, endpointId, eventId, ...fields } = delivery;
    this.#em.create(WebhookDelivery, {
      ...fields,
      tenant: this.#em.getReference(Tenant, tenantId),
      endpoint: this.#em.getReference(WebhookEndpoint, endpointId),
      event: this.#em.getReference(WebhookEvent, eventId),
      lockedUntil: null,
    });
    await this.#em.flush();
  }

  async listDeliveries(endpointId: string, page: PageRequest): Promise<WebhookDeliveryRecord[]> {
    const { after } = page;
    const rows = await this.#em.find(
      WebhookDelivery,
      {
        $and: [
          { endpoint: endpointId },
          after
            ? {
                $or: [
                  { createdAt: { $lt: after.createdAt } },
                  { createdAt: after.createdAt, id: { $lt: after.id } },
                ],
              }
            : {},
        ],
      },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: page.limit },
    );
    return rows.map(deliveryRecord);
  }

  async findDelivery(tenantId: string, id: string): Promise<WebhookDeliveryRecord | null> {
    const row = await this.#em.findOne(WebhookDelivery, { id, tenant: tenantId });
    return row ? deliveryRecord(row) : null;
  }
}
