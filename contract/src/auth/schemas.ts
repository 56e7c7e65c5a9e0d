import { z } from 'zod';
import { accountSchema } from '../accounts/schemas';
import { policySubjectSchema } from '../authorization/schemas';
import {
  emailSchema,
  idSchema,
  messageChannelSchema,
  nameSchema,
  otpCodeSchema,
  refreshTokenSchema,
  tenantCodeSchema,
  timestampSchema,
} from '../common/schemas';
import { storableText } from '../common/text';
import { actorClaimSchema } from '../impersonation/schemas';
import { messageLocaleSchema } from '../messaging/schemas';
import { policyDocumentSchema } from '../policy/schema';
import { logoUrlSchema, tenantSchema, tenantSummarySchema } from '../tenants/schemas';
import { googleLoginBodySchema } from './google';
import { magicLinkLoginBodySchema } from './magic-link';
import { oauthLoginBodySchema } from './oauth-login';
import { passkeyLoginBodySchema } from './passkey';
import { passwordLoginBodySchema, registerPasswordBodySchema } from './password';
import { otpRequestPhoneBodySchema, phoneOtpLoginBodySchema } from './phone';
import { privyLoginBodySchema } from './privy';
import { siweLoginBodySchema } from './siwe';

/** The human, across tenants. */
export const personSchema = z.object({
  id: idSchema,
  email: z.string().nullable(),
  email_verified: z.boolean(),
  created_at: timestampSchema,
  /** The person's profile (`PATCH /auth/me`): what apps show; never used to sign in or decide. */
  display_name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  /** A BCP 47 language tag, e.g. `en-GB`. */
  locale: z.string().nullable(),
  /** An IANA time zone, e.g. `Europe/London`. */
  time_zone: z.string().nullable(),
});
export type Person = z.infer<typeof personSchema>;

/**
 * The refresh-token cookie mode (#18), as the wire knows it: a client sends this header (value `1`) to get
 * the refresh token of token answers as the `__Secure-enforcer-refresh` HttpOnly cookie instead of in the
 * JSON; the same header is the CSRF guard of the cookie-authenticated refresh and logout.
 */
export const REFRESH_COOKIE_HEADER = 'enforcer-refresh-cookie';
export const REFRESH_COOKIE_NAME = '__Secure-enforcer-refresh';

/**
 * What every sign-in returns (login, refresh, tenant join and switch, invite accept,
 * self-serve): an access token for one tenant plus the refresh token bound to it.
 */
/**
 * A deletion the person asked for and can still cancel (#15, `DELETE /auth/me/deletion`): shown by a
 * sign-in's answer and `GET /auth/me`, null when none is pending.
 */
export const pendingDeletionSchema = z.object({ id: idSchema, scheduled_for: timestampSchema });
export type PendingDeletion = z.infer<typeof pendingDeletionSchema>;

export const tokenResponseSchema = z.object({
  /** The access token (JWT, `typ: at+jwt`); send it as `Authorization: Bearer`. */
  token: z.string(),
  /**
   * Opaque; rotated on every use: keep only the newest. Absent when the client asked for the refresh-token
   * cookie mode (`Enforcer-Refresh-Cookie: 1`): it is then in an HttpOnly cookie scoped to
   * `/auth/refresh` and `/auth/logout`, out of reach of page scripts.
   */
  refresh_token: z.string().optional(),
  /** When `token` expires (ISO 8601). */
  expires_at: timestampSchema,
  token_type: z.literal('Bearer'),
  account: accountSchema,
  person: personSchema,
  tenant: tenantSchema,
  /** The person's pending deletion (#15), on answers that open a session and on a refresh (null when none). */
  pending_deletion: pendingDeletionSchema.nullable().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Register and OTP

/**
 * `POST /auth/register`, one variant per provider (`provider` picks the strategy). Without
 * a tenant code it records the person only; with one it also creates their account in
 * that tenant when the tenant allows sign-up. The answer is the same whether or not the
 * email was known (enumeration resistance).
 */
export const registerEmailOtpBodySchema = z.strictObject({
  provider: z.literal('email_otp'),
  email: emailSchema,
  tenant_code: tenantCodeSchema.optional(),
});
export const registerBodySchema = z.discriminatedUnion('provider', [
  registerEmailOtpBodySchema,
  registerPasswordBodySchema,
]);
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const registerResponseSchema = z.object({
  accepted: z.literal(true),
  /** What to call next to finish signing in (`POST /auth/otp/request` for email_otp). */
  next: z.enum(['otp_request', 'login']),
});
export type RegisterResponse = z.infer<typeof registerResponseSchema>;

/**
 * `POST /auth/otp/request`. A union of one strict object per channel: email now; a
 * `{ phone, tenant_code? }` variant joins it for phone_otp without changing this one.
 * Without a tenant code the code proves the email only (what `POST /tenants/self-serve` needs).
 */
export const otpRequestEmailBodySchema = z.strictObject({
  email: emailSchema,
  tenant_code: tenantCodeSchema.optional(),
  /** The language of the mail (`de`, `pt-BR`); default: the tenant's messaging default locale. */
  locale: messageLocaleSchema.optional(),
});
export const otpRequestBodySchema = z.union([otpRequestEmailBodySchema, otpRequestPhoneBodySchema]);
export type OtpRequestBody = z.infer<typeof otpRequestBodySchema>;

/** The same answer whether or not the email belongs to anyone. */
export const otpRequestResponseSchema = z.object({
  sent: z.literal(true),
  channel: messageChannelSchema,
  /** When the code stops working. */
  expires_at: timestampSchema,
  /** The code itself, only when the server runs in development mode; never in production. */
  code: z.string().optional(),
});
export type OtpRequestResponse = z.infer<typeof otpRequestResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Login

/** Email + one-time code. */
export const emailOtpLoginBodySchema = z.strictObject({
  provider: z.literal('email_otp'),
  email: emailSchema,
  otp: otpCodeSchema,
  tenant_code: tenantCodeSchema,
});
export type EmailOtpLoginBody = z.infer<typeof emailOtpLoginBodySchema>;

/**
 * `POST /auth/login`: `provider` selects the strategy. Each new method (password,
 * passkey, google, privy, siwe, phone_otp...) adds one strict variant here.
 */
export const loginBodySchema = z.discriminatedUnion('provider', [
  emailOtpLoginBodySchema,
  phoneOtpLoginBodySchema,
  googleLoginBodySchema,
  siweLoginBodySchema,
  privyLoginBodySchema,
  passkeyLoginBodySchema,
  passwordLoginBodySchema,
  magicLinkLoginBodySchema,
  oauthLoginBodySchema,
]);
export type LoginBody = z.infer<typeof loginBodySchema>;

// ---------------------------------------------------------------------------------------------
// Sessions

/**
 * `POST /auth/refresh`. Without `refresh_token` the refresh token is read from the cookie of the cookie mode,
 * which needs the `Enforcer-Refresh-Cookie: 1` header and an allowed `Origin` (CSRF).
 */
export const refreshBodySchema = z.strictObject({ refresh_token: refreshTokenSchema.optional() });
export type RefreshBody = z.infer<typeof refreshBodySchema>;

/**
 * `POST /auth/logout`. `refresh_token` ends that session (no access token needed, so an
 * expired one does not stop a logout); in the cookie mode the refresh cookie does the same (with the
 * `Enforcer-Refresh-Cookie: 1` header and an allowed `Origin`) and the answer clears it. `all_sessions: true` ends every session of the
 * person and needs a user token. With a user token and neither field, the token's own
 * session ends.
 */
export const logoutBodySchema = z.strictObject({
  refresh_token: refreshTokenSchema.optional(),
  all_sessions: z.boolean().optional(),
});
export type LogoutBody = z.infer<typeof logoutBodySchema>;

export const joinTenantBodySchema = z.strictObject({ tenant_code: tenantCodeSchema });
export type JoinTenantBody = z.infer<typeof joinTenantBodySchema>;

export const switchTenantBodySchema = z.strictObject({ tenant_id: idSchema });
export type SwitchTenantBody = z.infer<typeof switchTenantBodySchema>;

export const acceptInviteBodySchema = z.strictObject({
  code: z.string().trim().min(1).max(128).check(storableText),
});
export type AcceptInviteBody = z.infer<typeof acceptInviteBodySchema>;

/** One of the person's tenant memberships (`GET /auth/tenants`). */
export const membershipSchema = z.object({
  tenant: tenantSummarySchema,
  account_id: idSchema,
  role: z.string(),
  active: z.boolean(),
  /** True for the tenant the calling token is scoped to. */
  current: z.boolean(),
});
export type Membership = z.infer<typeof membershipSchema>;

export const sessionSchema = z.object({
  id: idSchema,
  /** How the person proved who they are (RFC 8176 values: `otp`, `pwd`, `hwk`, ...). */
  amr: z.array(z.string()),
  /** When the session ends at the latest (absolute expiry of its refresh tokens). */
  expires_at: timestampSchema,
  /** An impersonation session (#14): the admin's account acting in it (`act.sub` of its token); absent otherwise. */
  act: actorClaimSchema.optional(),
});
export type Session = z.infer<typeof sessionSchema>;

/** A BCP 47 language tag as browsers send them (`en`, `en-GB`, `zh-Hant-TW`, `es-419`): letters, digits, hyphens. */
const localeSchema = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, 'a BCP 47 language tag, like "en-GB"');

/** An IANA time zone this runtime knows (`Europe/London`, `UTC`); checked with `Intl`, no list of our own. */
const timeZoneSchema = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone);
    } catch {
      return false;
    }
  }, 'an IANA time zone, like "Europe/London"');

/**
 * `PATCH /auth/me`: the fields of the caller's profile to change; `null` clears one, an absent field
 * stays as it is. The profile belongs to the person, so it is the same in each of their tenants.
 */
export const updateProfileBodySchema = z.strictObject({
  display_name: nameSchema.nullable().optional(),
  /** https only, on a domain name (as a tenant's logo). */
  avatar_url: logoUrlSchema.nullable().optional(),
  locale: localeSchema.nullable().optional(),
  time_zone: timeZoneSchema.nullable().optional(),
});
export type UpdateProfileBody = z.infer<typeof updateProfileBodySchema>;

export const meResponseSchema = z.object({
  account: accountSchema,
  person: personSchema,
  tenant: tenantSchema,
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  session: sessionSchema,
  /** The person's pending deletion (#15), or null. */
  pending_deletion: pendingDeletionSchema.nullable(),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

/**
 * `GET /auth/permissions`: everything a client needs to run `can()` and `plan()` locally,
 * with the same engine as the server.
 */
export const permissionsResponseSchema = z.object({
  /** Effective permission patterns: the union of the role's and the groups' grants. */
  permissions: z.array(z.string()),
  subject: policySubjectSchema,
  policy: policyDocumentSchema,
  /** Changes whenever the policy does: a client that caches the policy compares it. */
  policy_etag: z.string(),
});
export type PermissionsResponse = z.infer<typeof permissionsResponseSchema>;
