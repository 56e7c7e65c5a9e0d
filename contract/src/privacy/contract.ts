import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, paginated } from '../common/schemas';
import {
  deletionRequestSchema,
  listDeletionRequestsQuerySchema,
  ownDeletionSchema,
  personalDataExportSchema,
  privacySettingsSchema,
  processDeletionResponseSchema,
  requestDeletionBodySchema,
  updatePrivacySettingsBodySchema,
} from './schemas';

const meta = routeMeta('Privacy');

/** Privacy (#15): a person's export and erasure, and the tenant admin's side of deletion requests. */
export const privacyContract = c.router({
  export: {
    method: 'GET',
    path: '/auth/me/export',
    summary: 'Everything Enforcer holds about you, as one JSON document (no secret in it)',
    description:
      'Profile, accounts and their tenants, contacts, identities, passkeys (public data only), which credentials exist, live sessions, public and user metadata, the audit events about you, and a pending deletion request. Schema: docs/privacy.md.',
    responses: { 200: personalDataExportSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  requestDeletion: {
    method: 'POST',
    path: '/auth/me/deletion',
    summary: 'Ask to be erased after the grace period',
    description:
      "Needs a fresh proof: a step-up (`POST /auth/mfa/step-up`) in the last 10 minutes, or, for a person without a second factor, a session opened in the last 10 minutes; else `403 step_up_required`. Answers `201` with the new request, or `200` with the one already pending. The erasure covers the person in every tenant; the tenant's grace period (`GET /privacy-settings`) sets when. Sign in and `DELETE /auth/me/deletion` to cancel.",
    body: requestDeletionBodySchema,
    responses: { 200: deletionRequestSchema, 201: deletionRequestSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  deletion: {
    method: 'GET',
    path: '/auth/me/deletion',
    summary: 'Your pending deletion request, or null',
    responses: { 200: ownDeletionSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  cancelDeletion: {
    method: 'DELETE',
    path: '/auth/me/deletion',
    summary: 'Cancel your pending deletion request',
    description: 'Answers the cancelled request; `404 not_found` when none is pending.',
    body: c.noBody(),
    responses: { 200: deletionRequestSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user' }),
  },
  listRequests: {
    method: 'GET',
    path: '/deletion-requests',
    summary: "The tenant's deletion requests, newest first",
    query: listDeletionRequestsQuerySchema,
    responses: { 200: paginated(deletionRequestSchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'privacy.read' }),
  },
  processRequest: {
    method: 'POST',
    path: '/deletion-requests/:id/process',
    summary: 'Erase the person of a pending request now, without waiting for the grace period',
    description:
      "Another tenant's request is `404 not_found`; one that is not pending `409 status_conflict`.",
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 200: processDeletionResponseSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'privacy.process' }),
  },
  settings: {
    method: 'GET',
    path: '/privacy-settings',
    summary: "The tenant's privacy settings (deletion grace period)",
    responses: { 200: privacySettingsSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'privacy.read' }),
  },
  updateSettings: {
    method: 'PATCH',
    path: '/privacy-settings',
    summary: "Change the tenant's deletion grace period",
    body: updatePrivacySettingsBodySchema,
    responses: { 200: privacySettingsSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.update' }),
  },
});
