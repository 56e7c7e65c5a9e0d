import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, paginated, paginationQuerySchema } from '../common/schemas';
import {
  createWebhookEndpointBodySchema,
  updateWebhookEndpointBodySchema,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
} from './schemas';

const meta = routeMeta('Webhooks');
const manage = meta({ auth: 'user_or_api_key', permission: 'webhooks.manage' });

/** Outbound webhooks: a tenant's endpoints and their deliveries (docs/webhooks.md). */
export const webhooksContract = c.router({
  createEndpoint: {
    method: 'POST',
    path: '/webhooks/endpoints',
    summary: 'Register a webhook endpoint (its `whsec_` secret is in this answer only)',
    body: createWebhookEndpointBodySchema,
    responses: { 201: webhookEndpointWithSecretSchema, ...problems(400, 401, 403) },
    metadata: manage,
  },
  listEndpoints: {
    method: 'GET',
    path: '/webhooks/endpoints',
    summary: "List the tenant's webhook endpoints",
    query: paginationQuerySchema,
    responses: { 200: paginated(webhookEndpointSchema), ...problems(401, 403) },
    metadata: manage,
  },
  getEndpoint: {
    method: 'GET',
    path: '/webhooks/endpoints/:id',
    summary: 'One webhook endpoint',
    pathParams: idParamsSchema,
    responses: { 200: webhookEndpointSchema, ...problems(401, 403, 404) },
    metadata: manage,
  },
  updateEndpoint: {
    method: 'PATCH',
    path: '/webhooks/endpoints/:id',
    summary: "Change an endpoint's URL, event types, description, or turn it back on",
    pathParams: idParamsSchema,
    body: updateWebhookEndpointBodySchema,
    responses: { 200: webhookEndpointSchema, ...problems(400, 401, 403, 404) },
    metadata: manage,
  },
  deleteEndpoint: {
    method: 'DELETE',
    path: '/webhooks/endpoints/:id',
    summary: 'Delete a webhook endpoint; its pending deliveries are dropped',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404) },
    metadata: manage,
  },
  rotateSecret: {
    method: 'POST',
    path: '/webhooks/endpoints/:id/rotate-secret',
    summary: 'A new signing secret; the previous one keeps signing alongside it for 24 hours',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 200: webhookEndpointWithSecretSchema, ...problems(401, 403, 404) },
    metadata: manage,
  },
  testEndpoint: {
    method: 'POST',
    path: '/webhooks/endpoints/:id/test',
    summary: 'Queue a `webhook.test` event for this endpoint',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 202: webhookDeliverySchema, ...problems(401, 403, 404) },
    metadata: manage,
  },
  listDeliveries: {
    method: 'GET',
    path: '/webhooks/endpoints/:id/deliveries',
    summary: "An endpoint's deliveries, newest first",
    pathParams: idParamsSchema,
    query: paginationQuerySchema,
    responses: { 200: paginated(webhookDeliverySchema), ...problems(401, 403, 404) },
    metadata: manage,
  },
  replayDelivery: {
    method: 'POST',
    path: '/webhooks/deliveries/:id/replay',
    summary: 'Deliver an event to its endpoint again (a new delivery, the same event id)',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 202: webhookDeliverySchema, ...problems(401, 403, 404) },
    metadata: manage,
  },
});
