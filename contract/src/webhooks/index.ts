export { webhooksContract } from './contract';
export {
  type WebhookEvent,
  type WebhookEventData,
  type WebhookEventType,
  webhookEventDataSchemas,
  webhookEventFilterSchema,
  webhookEventSchema,
  webhookEventTypes,
  webhookFilterMatches,
} from './events';
export {
  type CreateWebhookEndpointBody,
  createWebhookEndpointBodySchema,
  type UpdateWebhookEndpointBody,
  updateWebhookEndpointBodySchema,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
  webhookDeliverySchema,
  webhookDeliveryStatuses,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
  webhookUrlSchema,
} from './schemas';
