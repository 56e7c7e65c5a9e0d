import { byPosition, type PageRequest } from '../../pagination.js';
import type { WebhookEventRecord } from '../../webhooks/events.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord, WebhookStore } from '../../webhooks/ports.js';
import type { MemoryDatabase } from './database.js';

/**
 * Webhook endpoints, the outbox and deliveries in the memory database (`webhookEndpoints`,
 * `webhookEvents`, `webhookDeliveries`). The mock delivers nothing: it keeps what the server would send.
 */
export class MemoryWebhookStore implements WebhookStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async insertEndpoint(endpoint: WebhookEndpointRecord): Promise<void> {
    this.#db.tables.webhookEndpoints.set(endpoint.id, structuredClone(endpoint));
  }

  async listEndpoints(tenantId: string, page: PageRequest): Promise<WebhookEndpointRecord[]> {
    const { after } = page;
    return [...this.#db.tables.webhookEndpoints.values()]
      .filter((e) => e.tenantId === tenantId && (!after || byPosition(e, after) > 0))
      .sort(byPosition)
      .slice(0, page.limit)
      .map((e) => structuredClone(e));
  }

  async findEndpoint(tenantId: string, id: string): Promise<WebhookEndpointRecord | null> {
    const row = this.#db.tables.webhookEndpoints.get(id);
    return row && row.tenantId === tenantId ? structuredClone(row) : null;
  }

  async updateEndpoint(
    id: string,
    fields: Partial<Omit<WebhookEndpointRecord, 'id' | 'tenantId' | 'createdAt'>>,
  ): Promise<void> {
    const row = this.#db.tables.webhookEndpoints.get(id);
    if (row) Object.assign(row, structuredClone(fields));
  }

  async deleteEndpoint(id: string): Promise<void> {
    const { webhookEndpoints, webhookDeliveries } = this.#db.tables;
    webhookEndpoints.delete(id);
    for (const [key, d] of webhookDeliveries) if (d.endpointId === id) webhookDeliveries.delete(key);
  }

  async insertEvent(event: WebhookEventRecord): Promise<void> {
    appendWebhookEvent(this.#db, event);
  }

  async insertDelivery(delivery: WebhookDeliveryRecord): Promise<void> {
    this.#db.tables.webhookDeliveries.set(delivery.id, structuredClone(delivery));
  }

  async listDeliveries(endpointId: string, page: PageRequest): Promise<WebhookDeliveryRecord[]> {
    const { after } = page;
    return [...this.#db.tables.webhookDeliveries.values()]
      .filter((d) => d.endpointId === endpointId && (!after || byPosition(d, after) < 0))
      .sort((a, b) => byPosition(b, a))
      .slice(0, page.limit)
      .map((d) => structuredClone(d));
  }

  async findDelivery(tenantId: string, id: string): Promise<WebhookDeliveryRecord | null> {
    const row = this.#db.tables.webhookDeliveries.get(id);
    return row && row.tenantId === tenantId ? structuredClone(row) : null;
  }
}

/** Adds an event to the outbox table (the audit log calls it for catalogue events). */
export function appendWebhookEvent(db: MemoryDatabase, event: WebhookEventRecord): void {
  db.tables.webhookEvents.push({ ...event });
}
