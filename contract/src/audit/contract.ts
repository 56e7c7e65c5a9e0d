import { z } from 'zod';
import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, paginated } from '../common/schemas';
import {
  activityQuerySchema,
  auditChainVerificationSchema,
  auditEventSchema,
  auditSettingsSchema,
  exportAuditEventsQuerySchema,
  listAuditEventsQuerySchema,
  ndjsonContentType,
  updateAuditSettingsBodySchema,
} from './schemas';

const meta = routeMeta('Audit');

/**
 * The audit log (`GET /audit-events` and its export, verification and settings) for a tenant's admins,
 * and a person's own recent activity (`GET /auth/activity`).
 */
export const auditContract = c.router({
  list: {
    method: 'GET',
    path: '/audit-events',
    summary: "The tenant's audit events, newest first",
    description:
      'Filters combine with AND: `type` is a prefix (`auth.login.failed` is the failed sign-ins), `actor_account_id`, `target_account_id`, `outcome`, `from` (included) and `to` (excluded). Cursor pagination.',
    query: listAuditEventsQuerySchema,
    responses: { 200: paginated(auditEventSchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'audit.read' }),
  },
  export: {
    method: 'GET',
    path: '/audit-events/export',
    summary: 'Export a time range as NDJSON (one event per line, oldest first), streamed',
    description:
      'Content type `application/x-ndjson`; each line is an event as `GET /audit-events/{id}` gives it. The server streams it page by page, so a long range needs no memory.',
    query: exportAuditEventsQuerySchema,
    responses: {
      200: c.otherResponse({ contentType: ndjsonContentType, body: z.string() }),
      ...problems(401, 403),
    },
    metadata: meta({ auth: 'user_or_api_key', permission: 'audit.read' }),
  },
  verify: {
    method: 'GET',
    path: '/audit-events/verify',
    summary: "Check the tenant's hash chain and report its first break",
    query: z.object({}),
    responses: { 200: auditChainVerificationSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'audit.read' }),
  },
  settings: {
    method: 'GET',
    path: '/audit-settings',
    summary: "The tenant's audit settings (retention)",
    responses: { 200: auditSettingsSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'audit.read' }),
  },
  updateSettings: {
    method: 'PATCH',
    path: '/audit-settings',
    summary: "Change the tenant's audit retention",
    body: updateAuditSettingsBodySchema,
    responses: { 200: auditSettingsSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.update' }),
  },
  get: {
    method: 'GET',
    path: '/audit-events/:id',
    summary: 'One audit event of the tenant',
    description: "Another tenant's event is `404 not_found`, as a missing one.",
    pathParams: idParamsSchema,
    responses: { 200: auditEventSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'audit.read' }),
  },
  activity: {
    method: 'GET',
    path: '/auth/activity',
    summary: 'Your recent activity: sign-ins and security events about you, newest first',
    description:
      'Events whose actor or target is your account in this tenant or your person (events outside any tenant included); failed sign-ins on your account are among them. Cursor pagination.',
    query: activityQuerySchema,
    responses: { 200: paginated(auditEventSchema), ...problems(401, 403) },
    metadata: routeMeta('Auth')({ auth: 'user' }),
  },
});
