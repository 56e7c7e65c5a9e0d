import { updateUserMetadataBodySchema } from '../accounts/schemas';
import { c, problems, routeMeta } from '../common/route';
import { paginated, paginationQuerySchema } from '../common/schemas';
import { ownSessionRoutes } from '../sessions/contract';
import { authMethodRoutes } from './method-routes';
import {
  acceptInviteBodySchema,
  joinTenantBodySchema,
  loginBodySchema,
  logoutBodySchema,
  membershipSchema,
  meResponseSchema,
  otpRequestBodySchema,
  otpRequestResponseSchema,
  permissionsResponseSchema,
  refreshBodySchema,
  registerBodySchema,
  registerResponseSchema,
  switchTenantBodySchema,
  tokenResponseSchema,
  updateProfileBodySchema,
} from './schemas';

const meta = routeMeta('Auth');

export const authContract = c.router({
  register: {
    method: 'POST',
    path: '/auth/register',
    summary: 'Register a person (and, with a tenant code, their account)',
    description: 'Answers the same whether or not the email is already registered.',
    body: registerBodySchema,
    responses: { 202: registerResponseSchema, ...problems(403, 404) },
    metadata: meta({ auth: 'none' }),
  },
  requestOtp: {
    method: 'POST',
    path: '/auth/otp/request',
    summary: 'Send a one-time code by email or SMS',
    description:
      'Answers the same whether or not the email or phone belongs to anyone. In development mode the code is in the answer.',
    body: otpRequestBodySchema,
    responses: { 200: otpRequestResponseSchema, ...problems(404) },
    metadata: meta({ auth: 'none' }),
  },
  login: {
    method: 'POST',
    path: '/auth/login',
    summary: 'Sign in to a tenant; `provider` picks the method',
    body: loginBodySchema,
    responses: { 200: tokenResponseSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'none' }),
  },
  refresh: {
    method: 'POST',
    path: '/auth/refresh',
    summary: 'Exchange a refresh token for a new token pair (the old refresh token is spent)',
    description:
      "Replaying a spent refresh token revokes its whole family (`401 refresh_token_reused`); concurrent refreshes within a short grace window get the same successor. Cookie mode: send no body field, the `Enforcer-Refresh-Cookie: 1` header and the cookie (`credentials: include`); the answer then sets the successor in the cookie and leaves `refresh_token` out. A cookie-authenticated call without the header or from an `Origin` the session's tenant does not allow is `403 csrf_check_failed`. A session without the second factor its tenant now requires (`auth_settings.mfa`) is ended and answered as a sign-in would be: `401 mfa_enrollment_required` or `401 mfa_required` with an `mfa_token`.",
    body: refreshBodySchema,
    responses: { 200: tokenResponseSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'none' }),
  },
  logout: {
    method: 'POST',
    path: '/auth/logout',
    summary: 'End a session, or all of them',
    description:
      'Cookie mode: with the `Enforcer-Refresh-Cookie: 1` header and no `refresh_token`, the refresh cookie names the session (`403 csrf_check_failed` from an `Origin` its tenant does not allow), and the answer clears the cookie.',
    body: logoutBodySchema,
    responses: { 204: c.noBody(), ...problems(401, 403) },
    metadata: meta({ auth: 'none', optionalUser: true }),
  },
  joinTenant: {
    method: 'POST',
    path: '/auth/tenant/join',
    summary: 'Join a tenant that allows sign-up, by its code, and switch to it',
    body: joinTenantBodySchema,
    responses: { 200: tokenResponseSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user' }),
  },
  switchTenant: {
    method: 'POST',
    path: '/auth/tenant/switch',
    summary: "Switch to another of the person's tenants (a new token pair scoped to it)",
    body: switchTenantBodySchema,
    responses: { 200: tokenResponseSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  tenants: {
    method: 'GET',
    path: '/auth/tenants',
    summary: "List the person's tenant memberships",
    query: paginationQuerySchema,
    responses: { 200: paginated(membershipSchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  acceptInvite: {
    method: 'POST',
    path: '/auth/invites/accept',
    summary: 'Accept an invite and switch to its tenant',
    description:
      "The invite must be for the signed-in person's email. An unknown, used or expired code, or one for someone else, is `400 invite_invalid`.",
    body: acceptInviteBodySchema,
    responses: { 200: tokenResponseSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'user' }),
  },
  me: {
    method: 'GET',
    path: '/auth/me',
    summary: 'The signed-in account, person, tenant, roles, groups and session',
    responses: { 200: meResponseSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  updateMe: {
    method: 'PATCH',
    path: '/auth/me',
    summary: "Change the signed-in person's profile (display name, avatar, locale, time zone)",
    description:
      "Absent fields stay as they are, `null` clears one. The profile is the person's, the same in each of their tenants. Answers what `GET /auth/me` answers.",
    body: updateProfileBodySchema,
    responses: { 200: meResponseSchema, ...problems(400, 401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  // Account metadata (#14): the user's own, in this tenant.
  updateMyMetadata: {
    method: 'PATCH',
    path: '/auth/me/metadata',
    summary: "Change the signed-in account's user_metadata",
    description:
      "Merged as `PATCH /accounts/{id}` merges: a top-level key replaces the stored one, `null` removes it, keys not given stay. A route of its own, not a field of `PATCH /auth/me`: that one changes the person's profile, the same in every tenant, while metadata belongs to the account in this tenant. `user_metadata` never feeds a policy decision. At most 8 kB of JSON after the merge (`400 metadata_too_large`). Answers what `GET /auth/me` answers.",
    body: updateUserMetadataBodySchema,
    responses: { 200: meResponseSchema, ...problems(400, 401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  permissions: {
    method: 'GET',
    path: '/auth/permissions',
    summary: "The caller's effective permissions, policy subject and the tenant's policy (for local checks)",
    responses: { 200: permissionsResponseSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  // The caller's own sessions (sessions/contract.ts).
  ...ownSessionRoutes,
  // Passkeys, Sign-In with Ethereum and linked identities (method-routes.ts).
  ...authMethodRoutes,
});
