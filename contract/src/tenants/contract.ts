import { z } from 'zod';
import { accountSchema } from '../accounts/schemas';
import { tokenResponseSchema } from '../auth/schemas';
import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, paginated } from '../common/schemas';
import {
  createInviteBodySchema,
  createTenantBodySchema,
  inviteParamsSchema,
  inviteSchema,
  inviteViewSchema,
  listInvitesQuerySchema,
  publicTenantSchema,
  resolveTenantQuerySchema,
  selfServeTenantBodySchema,
  setAuthProvidersBodySchema,
  tenantSchema,
  updateTenantBodySchema,
} from './schemas';

const meta = routeMeta('Tenants');

export const tenantsContract = c.router({
  selfServe: {
    method: 'POST',
    path: '/tenants/self-serve',
    summary: 'Create a tenant; the caller becomes its admin and is signed in to it',
    description:
      'Proof of `admin_email` is an `otp` from `POST /auth/otp/request` (without a tenant code) or a signed-in session of that person. Answers `403 self_serve_disabled` when the deployment does not offer self-serve.',
    body: selfServeTenantBodySchema,
    responses: { 201: tokenResponseSchema, ...problems(401, 403, 429) },
    metadata: meta({ auth: 'none', optionalUser: true }),
  },
  create: {
    method: 'POST',
    path: '/tenants',
    summary: 'Create a tenant as the signed-in person, who becomes its admin',
    body: createTenantBodySchema,
    responses: {
      201: z.object({ tenant: tenantSchema, account: accountSchema }),
      ...problems(401, 403),
    },
    metadata: meta({ auth: 'user' }),
  },
  get: {
    method: 'GET',
    path: '/tenants/:id',
    summary: "Get the caller's tenant",
    description: 'Only the tenant the credential belongs to; any other id is a 404.',
    pathParams: idParamsSchema,
    responses: { 200: tenantSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key' }),
  },
  update: {
    method: 'PATCH',
    path: '/tenants/:id',
    summary: 'Set the tenant name, logo and theme',
    pathParams: idParamsSchema,
    body: updateTenantBodySchema,
    responses: { 200: tenantSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.update' }),
  },
  setAuthProviders: {
    method: 'PUT',
    path: '/tenants/:id/auth-provider',
    summary: 'Set the login methods the tenant accepts (and whether anyone may sign up)',
    pathParams: idParamsSchema,
    body: setAuthProvidersBodySchema,
    responses: { 200: tenantSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.update' }),
  },
  createInvite: {
    method: 'POST',
    path: '/tenants/:id/invites',
    summary: 'Invite someone by email, with a role',
    description:
      "Mailed (unless `send_email: false`) with the tenant's name, an accept link and the code; valid 7 days. A mail that cannot be sent is `503 unavailable` and nothing is created.",
    pathParams: idParamsSchema,
    body: createInviteBodySchema,
    responses: { 201: inviteSchema, ...problems(401, 403, 404, 409, 503) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'invites.create' }),
  },
  listInvites: {
    method: 'GET',
    path: '/tenants/:id/invites',
    summary: "The tenant's invites (pending, accepted, expired, revoked), oldest first",
    pathParams: idParamsSchema,
    query: listInvitesQuerySchema,
    responses: { 200: paginated(inviteViewSchema), ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'invites.read' }),
  },
  revokeInvite: {
    method: 'DELETE',
    path: '/tenants/:id/invites/:invite_id',
    summary: 'Revoke an invite: its code stops working',
    description: 'Idempotent on a revoked invite; an accepted one is `409 conflict`.',
    pathParams: inviteParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'invites.revoke' }),
  },
  resendInvite: {
    method: 'POST',
    path: '/tenants/:id/invites/:invite_id/resend',
    summary: 'Mail an invite again, with a new code and a new expiry',
    description:
      "The old code stops working; the new one is answered once, as on creation. The accept link points at the tenant's first registered redirect URL. A pending or expired invite can be resent; an accepted or revoked one is `409 conflict`.",
    pathParams: inviteParamsSchema,
    body: c.noBody(),
    responses: { 200: inviteSchema, ...problems(401, 403, 404, 409, 503) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'invites.create' }),
  },
  resolve: {
    method: 'GET',
    path: '/directory/tenants/resolve',
    summary: 'Look up a tenant by its code (public: what a login page needs)',
    query: resolveTenantQuerySchema,
    responses: { 200: publicTenantSchema, ...problems(404) },
    metadata: meta({ auth: 'none' }),
  },
});
