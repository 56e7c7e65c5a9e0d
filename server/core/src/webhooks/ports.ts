import type { PageRequest } from '../pagination.js';
import type { WebhookEventRecord } from './events.js';

export type { WebhookEventRecord } from './events.js';

/** A tenant's endpoint as stored: its secrets sealed (`SecretSealer`), never in the clear. */
export interface WebhookEndpointRecord {
  id: string;
  tenantId: string;
  url: string;
  /** Event types, prefix wildcards (`account.*`) or `*`. */
  eventTypes: string[];
  description: string | null;
  secretSealed: string;
  /** The secret before the last rotation, still signing until `previousSecretExpiresAt`. */
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
  enabled: boolean;
  /** `failing` (disabled by the worker after days of failures) or `manual`. */
  disabledReason: string | null;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryRecord {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  responseStatus: number | null;
  responseBody: string | null;
  createdAt: Date;
}

/** The port to a tenant's endpoints, the outbox and the deliveries (the worker's own queries are the server's). */
export interface WebhookStore {
  insertEndpoint(endpoint: WebhookEndpointRecord): Promise<void>;
  /** The tenant's endpoints after `page.after`, oldest first. */
  listEndpoints(tenantId: string, page: PageRequest): Promise<WebhookEndpointRecord[]>;
  findEndpoint(tenantId: string, id: string): Promise<WebhookEndpointRecord | null>;
  updateEndpoint(
    id: string,
    fields: Partial<Omit<WebhookEndpointRecord, 'id' | 'tenantId' | 'createdAt'>>,
  ): Promise<void>;
  /** Deletes the endpoint and its deliveries. */
  deleteEndpoint(id: string): Promise<void>;
  /** Adds an event to the outbox, with the unit of work (fanned out to its endpoints by the worker). */
  insertEvent(event: WebhookEventRecord): Promise<void>;
  /** A delivery of an event to one endpoint, due now (test events and replays: no fan-out). */
  insertDelivery(delivery: WebhookDeliveryRecord): Promise<void>;
  /** The endpoint's deliveries, newest first (`page.after`: the last one of the previous page). */
  listDeliveries(endpointId: string, page: PageRequest): Promise<WebhookDeliveryRecord[]>;
  findDelivery(tenantId: string, id: string): Promise<WebhookDeliveryRecord | null>;
}
