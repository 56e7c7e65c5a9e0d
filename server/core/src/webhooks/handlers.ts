import type { contract, WebhookDelivery, WebhookEndpoint } from '@enforcer/contract';
import { callerOf, type Handlers } from '../api/handlers.js';
import { auditActorOf } from '../caller.js';
import { AppError } from '../errors.js';
import type { SecretSealer } from '../mfa/sealer.js';
import { pageRequest, toPage } from '../pagination.js';
import type { Clock, RandomSource } from '../platform.js';
import type { UnitOfWork } from '../store.js';
import { webhookEventBody } from './events.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from './ports.js';
import { newWebhookSecret, PREVIOUS_SECRET_SECONDS, sealWebhookSecret } from './secret.js';
import { assertWebhookTarget, type WebhookTargetRules } from './targets.js';

export interface WebhooksDeps {
  uow: UnitOfWork;
  clock: Clock;
  random: RandomSource;
  /** Seals endpoint secrets at rest (the server: under a sub-key of its master key). */
  sealer: SecretSealer;
  targets: WebhookTargetRules;
}

export const webhookEndpointView = (e: WebhookEndpointRecord): WebhookEndpoint => ({
  id: e.id,
  url: e.url,
  event_types: [...e.eventTypes],
  description: e.description,
  enabled: e.enabled,
  disabled_reason: e.disabledReason,
  created_at: e.createdAt.toISOString(),
  updated_at: e.updatedAt.toISOString(),
});

const BODY_SHOWN = 1024;

export const webhookDeliveryView = (d: WebhookDeliveryRecord): WebhookDelivery => ({
  id: d.id,
  endpoint_id: d.endpointId,
  event_id: d.eventId,
  event_type: d.eventType,
  status: d.status,
  attempts: d.attempts,
  response_status: d.responseStatus,
  response_body: d.responseBody === null ? null : d.responseBody.slice(0, BODY_SHOWN),
  next_attempt_at: d.nextAttemptAt?.toISOString() ?? null,
  last_attempt_at: d.lastAttemptAt?.toISOString() ?? null,
  created_at: d.createdAt.toISOString(),
});

const noSuchEndpoint = () => new AppError('not_found', 'No such webhook endpoint');

/** A delivery of an event to one endpoint, due now. */
const dueDelivery = (
  random: RandomSource,
  now: Date,
  fields: Pick<WebhookDeliveryRecord, 'tenantId' | 'endpointId' | 'eventId' | 'eventType'>,
): WebhookDeliveryRecord => ({
  id: random.uuid(),
  ...fields,
  status: 'pending',
  attempts: 0,
  nextAttemptAt: now,
  lastAttemptAt: null,
  responseStatus: null,
  responseBody: null,
  createdAt: now,
});

/**
 * A tenant's webhook endpoints (`/webhooks/endpoints...`) and deliveries, all `webhooks.manage`. Secrets
 * are `whsec_` Standard Webhooks secrets, shown in the creation and rotation answers only and stored
 * sealed; a rotation keeps the previous secret signing for 24 hours. Every change is audited.
 */
export const webhooksHandlers = (deps: WebhooksDeps): Handlers<typeof contract.webhooks> => {
  const { uow, clock, random, sealer } = deps;
  return {
    createEndpoint: async ({ body }, ctx) => {
      const caller = callerOf(ctx);
      await assertWebhookTarget(deps.targets, body.url);
      const now = clock.now();
      const id = random.uuid();
      const secret = newWebhookSecret(random);
      const endpoint: WebhookEndpointRecord = {
        id,
        tenantId: caller.tenantId,
        url: body.url,
        eventTypes: [...new Set(body.event_types)],
        description: body.description ?? null,
        secretSealed: await sealWebhookSecret(sealer, id, secret),
        previousSecretSealed: null,
        previousSecretExpiresAt: null,
        enabled: true,
        disabledReason: null,
        failingSince: null,
        createdAt: now,
        updatedAt: now,
      };
      await uow.transaction(async (repos) => {
        await repos.webhooks.insertEndpoint(endpoint);
        repos.audit.record({
          action: 'webhook.endpoint.created',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'webhook_endpoint', id },
          ...ctx.client,
          details: { url: endpoint.url, event_types: endpoint.eventTypes },
        });
      });
      return { status: 201, body: { ...webhookEndpointView(endpoint), secret } };
    },

    listEndpoints: async ({ query }, ctx) => {
      const caller = callerOf(ctx);
      const rows = await uow.read((repos) =>
        repos.webhooks.listEndpoints(caller.tenantId, pageRequest(query)),
      );
      return { status: 200, body: toPage(rows, query.limit, webhookEndpointView) };
    },

    getEndpoint: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      const row = await uow.read((repos) => repos.webhooks.findEndpoint(caller.tenantId, params.id));
      if (!row) throw noSuchEndpoint();
      return { status: 200, body: webhookEndpointView(row) };
    },

    updateEndpoint: async ({ params, body }, ctx) => {
      const caller = callerOf(ctx);
      if (body.url !== undefined) await assertWebhookTarget(deps.targets, body.url);
      const updated = await uow.transaction(async (repos) => {
        const row = await repos.webhooks.findEndpoint(caller.tenantId, params.id);
        if (!row) throw noSuchEndpoint();
        const fields: Partial<WebhookEndpointRecord> = { updatedAt: clock.now() };
        if (body.url !== undefined) fields.url = body.url;
        if (body.event_types !== undefined) fields.eventTypes = [...new Set(body.event_types)];
        if (body.description !== undefined) fields.description = body.description;
        if (body.enabled !== undefined) {
          fields.enabled = body.enabled;
          fields.disabledReason = body.enabled ? null : 'manual';
          // Turned back on: the failure streak that disabled it starts again.
          if (body.enabled) fields.failingSince = null;
        }
        await repos.webhooks.updateEndpoint(row.id, fields);
        repos.audit.record({
          action: 'webhook.endpoint.updated',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'webhook_endpoint', id: row.id },
          ...ctx.client,
          details: { changed: Object.keys(body) },
        });
        return { ...row, ...fields };
      });
      return { status: 200, body: webhookEndpointView(updated) };
    },

    deleteEndpoint: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      await uow.transaction(async (repos) => {
        const row = await repos.webhooks.findEndpoint(caller.tenantId, params.id);
        if (!row) throw noSuchEndpoint();
        await repos.webhooks.deleteEndpoint(row.id);
        repos.audit.record({
          action: 'webhook.endpoint.deleted',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'webhook_endpoint', id: row.id },
          ...ctx.client,
          details: { url: row.url },
        });
      });
      return { status: 204, body: undefined };
    },

    rotateSecret: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      const secret = newWebhookSecret(random);
      const updated = await uow.transaction(async (repos) => {
        const row = await repos.webhooks.findEndpoint(caller.tenantId, params.id);
        if (!row) throw noSuchEndpoint();
        const now = clock.now();
        const fields = {
          secretSealed: await sealWebhookSecret(sealer, row.id, secret),
          previousSecretSealed: row.secretSealed,
          previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_SECONDS * 1000),
          updatedAt: now,
        };
        await repos.webhooks.updateEndpoint(row.id, fields);
        repos.audit.record({
          action: 'webhook.endpoint.secret_rotated',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'webhook_endpoint', id: row.id },
          ...ctx.client,
          details: { previous_valid_until: fields.previousSecretExpiresAt.toISOString() },
        });
        return { ...row, ...fields };
      });
      return { status: 200, body: { ...webhookEndpointView(updated), secret } };
    },

    testEndpoint: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      const delivery = await uow.transaction(async (repos) => {
        const row = await repos.webhooks.findEndpoint(caller.tenantId, params.id);
        if (!row) throw noSuchEndpoint();
        const now = clock.now();
        const eventId = random.uuid();
        const body = webhookEventBody(eventId, caller.tenantId, 'webhook.test', { endpoint_id: row.id }, now);
        // Written as an event already fanned out: it goes to this endpoint only.
        await repos.webhooks.insertEvent({
          id: eventId,
          tenantId: caller.tenantId,
          type: 'webhook.test',
          payload: JSON.stringify(body),
          createdAt: now,
        });
        const made = dueDelivery(random, now, {
          tenantId: caller.tenantId,
          endpointId: row.id,
          eventId,
          eventType: 'webhook.test',
        });
        await repos.webhooks.insertDelivery(made);
        return made;
      });
      return { status: 202, body: webhookDeliveryView(delivery) };
    },

    listDeliveries: async ({ params, query }, ctx) => {
      const caller = callerOf(ctx);
      const rows = await uow.read(async (repos) => {
        const endpoint = await repos.webhooks.findEndpoint(caller.tenantId, params.id);
        if (!endpoint) throw noSuchEndpoint();
        return repos.webhooks.listDeliveries(endpoint.id, pageRequest(query));
      });
      return { status: 200, body: toPage(rows, query.limit, webhookDeliveryView) };
    },

    replayDelivery: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      const delivery = await uow.transaction(async (repos) => {
        const old = await repos.webhooks.findDelivery(caller.tenantId, params.id);
        if (!old) throw new AppError('not_found', 'No such webhook delivery');
        const made = dueDelivery(random, clock.now(), {
          tenantId: old.tenantId,
          endpointId: old.endpointId,
          eventId: old.eventId,
          eventType: old.eventType,
        });
        await repos.webhooks.insertDelivery(made);
        repos.audit.record({
          action: 'webhook.delivery.replayed',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'webhook_endpoint', id: old.endpointId },
          ...ctx.client,
          details: { delivery_id: old.id, event_id: old.eventId, replay_id: made.id },
        });
        return made;
      });
      return { status: 202, body: webhookDeliveryView(delivery) };
    },
  };
};
