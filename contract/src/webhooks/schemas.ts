import { z } from 'zod';
import { descriptionSchema, idSchema, timestampSchema } from '../common/schemas';
import { webhookEventFilterSchema } from './events';

/** An endpoint's URL (https; http only to localhost in development and test, checked by the server). */
export const webhookUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

export const createWebhookEndpointBodySchema = z.strictObject({
  url: webhookUrlSchema,
  /** Event types, prefix wildcards (`account.*`) or `*`; at least one. */
  event_types: z.array(webhookEventFilterSchema).min(1).max(50),
  description: descriptionSchema.optional(),
});
export type CreateWebhookEndpointBody = z.infer<typeof createWebhookEndpointBodySchema>;

export const updateWebhookEndpointBodySchema = z
  .strictObject({
    url: webhookUrlSchema.optional(),
    event_types: z.array(webhookEventFilterSchema).min(1).max(50).optional(),
    description: descriptionSchema.nullable().optional(),
    /** `true` turns a disabled endpoint back on (its failure streak starts again). */
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });
export type UpdateWebhookEndpointBody = z.infer<typeof updateWebhookEndpointBodySchema>;

/** An endpoint as listed: never its secret. */
export const webhookEndpointSchema = z.object({
  id: idSchema,
  url: z.string(),
  event_types: z.array(z.string()),
  description: z.string().nullable(),
  enabled: z.boolean(),
  /** Why it is disabled (`failing`: deliveries failed for days; `manual`). */
  disabled_reason: z.string().nullable(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

/** The creation and rotation answers: the only time the `whsec_` secret is shown. */
export const webhookEndpointWithSecretSchema = webhookEndpointSchema.extend({
  secret: z.string(),
});
export type WebhookEndpointWithSecret = z.infer<typeof webhookEndpointWithSecretSchema>;

export const webhookDeliveryStatuses = ['pending', 'delivered', 'failed'] as const;

/** One event's delivery to one endpoint. */
export const webhookDeliverySchema = z.object({
  id: idSchema,
  endpoint_id: idSchema,
  event_id: idSchema,
  event_type: z.string(),
  /** `pending` (waiting for its next attempt), `delivered` (a 2xx answer), `failed` (gave up). */
  status: z.enum(webhookDeliveryStatuses),
  attempts: z.number().int(),
  /** The last attempt's HTTP status; null before the first or when no answer came. */
  response_status: z.number().int().nullable(),
  /** The start of the last answer's body (at most 1,024 characters), or what went wrong. */
  response_body: z.string().nullable(),
  next_attempt_at: timestampSchema.nullable(),
  last_attempt_at: timestampSchema.nullable(),
  created_at: timestampSchema,
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const webhookDeliveryParamsSchema = z.object({ id: idSchema });
