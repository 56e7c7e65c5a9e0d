import { z } from 'zod';
import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema } from '../common/schemas';
import {
  createKycSessionBodySchema,
  kycDevDecisionBodySchema,
  kycDevParamsSchema,
  kycSessionSchema,
  kycSettingsSchema,
  kycStatusResponseSchema,
  kycWebhookBodySchema,
  kycWebhookParamsSchema,
  kycWebhookResponseSchema,
  putKycSettingsBodySchema,
} from './schemas';

const meta = routeMeta('KYC');

export const kycContract = c.router({
  getSettings: {
    method: 'GET',
    path: '/tenants/:id/modules/kyc',
    summary: "The tenant's KYC module settings (secrets are never answered, only whether one is set)",
    pathParams: idParamsSchema,
    responses: { 200: kycSettingsSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.read' }),
  },
  putSettings: {
    method: 'PUT',
    path: '/tenants/:id/modules/kyc',
    summary: 'Switch the KYC module on or off and set its provider, group and secrets',
    description:
      'Secrets are stored encrypted; absent keeps the stored one, null clears it. Persona needs a `template_id` and a `webhook_secret` to be enabled.',
    pathParams: idParamsSchema,
    body: putKycSettingsBodySchema,
    responses: { 200: kycSettingsSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.update' }),
  },
  createSession: {
    method: 'POST',
    path: '/kyc/sessions',
    summary: 'Start a verification of the signed-in person in the current tenant',
    description:
      "Answers the provider's page to open. `200` with status `approved` and no URL when the person is verified already (here, or in another tenant this tenant accepts). `403 module_disabled` when the tenant has not switched KYC on.",
    body: createKycSessionBodySchema,
    responses: { 200: kycSessionSchema, 201: kycSessionSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  status: {
    method: 'GET',
    path: '/kyc/status',
    summary: "The signed-in person's verification in the current tenant",
    responses: { 200: kycStatusResponseSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  webhook: {
    method: 'POST',
    path: '/kyc/webhooks/:provider',
    summary: "A KYC provider's signed event (Persona: `Persona-Signature`)",
    description:
      'The signature is checked first (`401 webhook_signature_invalid`, also for a timestamp outside five minutes); an event id seen before answers `200` `duplicate`.',
    pathParams: kycWebhookParamsSchema,
    // Per-header schemas, as every route declares them (a zod object here breaks the published types).
    headers: {
      /** Persona: `t=<unix seconds>,v1=<hex HMAC-SHA256>` (two space-separated sets while a secret rotates). */
      'persona-signature': z.string().max(2048).optional(),
    },
    body: kycWebhookBodySchema,
    responses: { 200: kycWebhookResponseSchema, ...problems(401) },
    metadata: meta({ auth: 'none' }),
  },
  devPage: {
    method: 'GET',
    path: '/kyc/dev/:token',
    summary: "The development provider's hosted page (approve or reject); only for tenants that chose it",
    pathParams: kycDevParamsSchema,
    responses: {
      200: c.otherResponse({ contentType: 'text/html; charset=utf-8', body: z.string() }),
      ...problems(404),
    },
    metadata: meta({ auth: 'none' }),
  },
  devDecision: {
    method: 'POST',
    path: '/kyc/dev/:token',
    summary: "The development provider's decision (what its page's buttons send)",
    pathParams: kycDevParamsSchema,
    body: kycDevDecisionBodySchema,
    responses: { 200: kycSessionSchema.omit({ url: true }), ...problems(404, 409) },
    metadata: meta({ auth: 'none' }),
  },
});
