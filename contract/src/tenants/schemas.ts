import { z } from 'zod';
import { putOAuthSettingsBodySchema } from '../auth/oauth-settings';
import {
  authProviderSchema,
  boundedRecord,
  emailSchema,
  identifierSchema,
  idSchema,
  nameSchema,
  otpCodeSchema,
  paginationQuerySchema,
  tenantCodeSchema,
  timestampSchema,
} from '../common/schemas';
import { authSettingsPatchSchema, authSettingsSchema, webOriginSchema } from './auth-settings';
import { tenantLimitsPatchSchema, tenantLimitsSchema } from './limits';

/**
 * Theme values end up in CSS on login pages, so they are limited to what colours, sizes
 * and font names need: no quotes, semicolons, braces, `url(` or `expression(`.
 */
export const themeValueSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9 #%.,()_-]+$/, 'letters, digits, spaces and # % . , ( ) _ - only')
  .refine((v) => !/url\s*\(|expression\s*\(/i.test(v), 'url() and expression() are not allowed');

/** `{ "primary": "#6ce992", "radius": "8px" }`: at most 50 entries. */
export const themeSchema = boundedRecord(identifierSchema, themeValueSchema, 50);
export type Theme = z.infer<typeof themeSchema>;

/** Logos are shown in browsers, so only https (no mixed content, no javascript: or data: URLs). */
export const logoUrlSchema = z.url({ protocol: /^https$/, hostname: z.regexes.domain }).max(2048);

export const tenantSchema = z.object({
  id: idSchema,
  code: z.string(),
  name: z.string(),
  logo_url: z.string().nullable(),
  theme: z.record(z.string(), z.string()),
  auth_providers: z.array(authProviderSchema),
  /** Whether a person without an account may join by logging in or with `POST /auth/tenant/join`. */
  allow_signup: z.boolean(),
  /** Settings of the sign-in methods that need them (passkey, google, siwe, privy); see `PATCH /tenants/{id}`. */
  auth_settings: authSettingsSchema.optional(),
  /** Limits on roles and groups, defaults filled in (`PATCH /tenants/{id}` sets them). */
  limits: tenantLimitsSchema.optional(),
  /** Web origins whose pages may call Enforcer from the browser (CORS), exact match. */
  allowed_origins: z.array(z.string()).optional(),
  created_at: timestampSchema,
});
export type Tenant = z.infer<typeof tenantSchema>;

/** What anyone may learn about a tenant from its code: enough to draw its login page. */
export const publicTenantSchema = tenantSchema.pick({
  id: true,
  code: true,
  name: true,
  logo_url: true,
  theme: true,
  auth_providers: true,
  allow_signup: true,
});
export type PublicTenant = z.infer<typeof publicTenantSchema>;

/** A tenant in lists (memberships). */
export const tenantSummarySchema = tenantSchema.pick({ id: true, code: true, name: true, logo_url: true });
export type TenantSummary = z.infer<typeof tenantSummarySchema>;

/**
 * `POST /tenants/self-serve`. Proof that the caller owns `admin_email`: either `otp`
 * (requested with `POST /auth/otp/request` for that email, without a tenant code) or a
 * signed-in session of the person with that email.
 */
export const selfServeTenantBodySchema = z.strictObject({
  name: nameSchema,
  admin_email: emailSchema,
  otp: otpCodeSchema.optional(),
});
export type SelfServeTenantBody = z.infer<typeof selfServeTenantBodySchema>;

const uniqueProviders = z
  .array(authProviderSchema)
  .min(1)
  .max(authProviderSchema.options.length)
  .refine((list) => new Set(list).size === list.length, 'providers must not repeat');

/** `POST /tenants`: a signed-in person creates a tenant and becomes its admin. */
export const createTenantBodySchema = z.strictObject({
  name: nameSchema,
  logo_url: logoUrlSchema.optional(),
  theme: themeSchema.optional(),
  /** Defaults to `["email_otp"]`. */
  auth_providers: uniqueProviders.optional(),
  /** Defaults to `false`: people join by invite only. */
  allow_signup: z.boolean().optional(),
});
export type CreateTenantBody = z.infer<typeof createTenantBodySchema>;

/** The most origins one tenant may allow (a production app, its staging, a few developers' ports). */
export const MAX_ALLOWED_ORIGINS = 20;

/**
 * A tenant's CORS allow-list, replaced as a whole: origins as browsers send them (scheme, host, port; a
 * default port is dropped, since browsers leave it out of `Origin`), exact match, no wildcard.
 */
export const allowedOriginsSchema = z
  .array(
    webOriginSchema.transform((origin) =>
      origin.replace(/^(https:\/\/[^/]+):443$|^(http:\/\/[^/]+):80$/, '$1$2'),
    ),
  )
  .max(MAX_ALLOWED_ORIGINS)
  .refine((list) => new Set(list).size === list.length, 'origins must not repeat');

/**
 * `PATCH /tenants/{id}`: `logo_url: null` removes the logo; `theme` replaces the whole theme;
 * `auth_settings` replaces the blocks it names (`null` removes one); `limits` sets the limits it
 * names (`null` restores a default).
 */
export const updateTenantBodySchema = z
  .strictObject({
    name: nameSchema.optional(),
    logo_url: logoUrlSchema.nullable().optional(),
    theme: themeSchema.optional(),
    auth_settings: authSettingsPatchSchema.optional(),
    limits: tenantLimitsPatchSchema.optional(),
    allowed_origins: allowedOriginsSchema.optional(),
  })
  .refine(
    (b) => Object.keys(b).length > 0,
    'send at least one of name, logo_url, theme, auth_settings, limits, allowed_origins',
  );
export type UpdateTenantBody = z.infer<typeof updateTenantBodySchema>;

/**
 * `PUT /tenants/{id}/auth-provider`: the accepted login methods, replaced as a whole.
 * The seed's single form `{ "provider": "email_otp" }` means `{ "providers": ["email_otp"] }`.
 */
/**
 * With `oauth`, the tenant's social sign-in providers and redirect URLs are replaced in the same change, as
 * `PUT /tenants/{id}/oauth` replaces them (that route reads them back, without secrets).
 */
const withOAuthSettings = {
  allow_signup: z.boolean().optional(),
  oauth: putOAuthSettingsBodySchema.optional(),
};
export const setAuthProvidersBodySchema = z.union([
  z.strictObject({ provider: authProviderSchema, ...withOAuthSettings }),
  z.strictObject({ providers: uniqueProviders, ...withOAuthSettings }),
]);
export type SetAuthProvidersBody = z.infer<typeof setAuthProvidersBodySchema>;

/** The providers a `PUT /tenants/{id}/auth-provider` body asks for, whichever form it used. */
export const requestedProviders = (body: SetAuthProvidersBody) =>
  'provider' in body ? [body.provider] : body.providers;

/**
 * Where an invite mail's accept link points: one of the tenant's registered redirect URLs
 * (`PUT /tenants/{id}/magic-link`), the first by default; the link carries `invite_code=<code>`.
 */
const inviteRedirectUrlSchema = z.url({ protocol: /^https?$/ }).max(2048);

export const createInviteBodySchema = z.strictObject({
  email: emailSchema,
  /** The role the account gets on joining; defaults to `member`. */
  role: z.optional(identifierSchema),
  /** Mail the invite (tenant name, accept link, code) to `email`; defaults to `true`. */
  send_email: z.boolean().optional(),
  redirect_url: inviteRedirectUrlSchema.optional(),
});
export type CreateInviteBody = z.infer<typeof createInviteBodySchema>;

export const inviteSchema = z.object({
  id: idSchema,
  /** What the invitee sends to `POST /auth/invites/accept`. Shown once, here. */
  code: z.string(),
  email: z.string(),
  role: z.string(),
  expires_at: timestampSchema,
  /** Whether the invite was mailed to `email` (through the server's mail delivery). */
  mailed: z.boolean().optional(),
});
export type Invite = z.infer<typeof inviteSchema>;

export const inviteStatuses = ['pending', 'accepted', 'expired', 'revoked'] as const;

/** An invite as `GET /tenants/{id}/invites` lists it: never its code. */
export const inviteViewSchema = z.object({
  id: idSchema,
  /** Null for a provisioning (`POST /accounts`) addressed to a phone alone. */
  email: z.string().nullable(),
  /** A provisioning's phone (E.164), else null. */
  phone: z.string().nullable(),
  /** The primary role (the first of `roles` granted). */
  role: z.string(),
  /** Every role the account will hold, sorted. */
  roles: z.array(z.string()),
  /** Groups the account will join (a provisioning's), sorted. */
  groups: z.array(z.string()),
  /** Made by `POST /accounts`: a sign-in with a proven email or phone it names takes it too. */
  provisioned: z.boolean(),
  status: z.enum(inviteStatuses),
  /** Account id of the inviter; null for an API key. */
  created_by: idSchema.nullable(),
  created_at: timestampSchema,
  expires_at: timestampSchema,
  accepted_at: timestampSchema.nullable(),
  revoked_at: timestampSchema.nullable(),
  /** When it was last mailed; null when never. */
  sent_at: timestampSchema.nullable(),
});
export type InviteView = z.infer<typeof inviteViewSchema>;

/** `GET /tenants/{id}/invites`: cursor pagination, optionally only invites with this status. */
export const listInvitesQuerySchema = paginationQuerySchema.extend({
  status: z.enum(inviteStatuses).optional(),
});
export type ListInvitesQuery = z.infer<typeof listInvitesQuerySchema>;

export const inviteParamsSchema = z.object({ id: idSchema, invite_id: idSchema });

export const resolveTenantQuerySchema = z.object({ code: tenantCodeSchema });
export type ResolveTenantQuery = z.infer<typeof resolveTenantQuerySchema>;
