import { z } from 'zod';
import { storableText } from '../common/text';
import { identifierSchema } from '../policy/schema';

/**
 * Per-tenant settings of the sign-in methods that need them: where passkeys are bound (relying
 * party id and origins), which Google OAuth client ids the tenant's ID tokens are issued to, what
 * a Sign-In with Ethereum message must say, and the tenant's Privy app. Set with
 * `PATCH /tenants/{id}` (`auth_settings`); each method's block is replaced as a whole, `null`
 * removes it. A method the tenant accepts but has not configured answers
 * `403 provider_not_configured`. Everything here is public information (ids, origins, a public key).
 */

/** A host name, lower case: `example.com`, `login.example.com`, `localhost`. */
const hostSchema = z
  .string()
  .max(253)
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
    'a host name like example.com',
  );

/** `https://app.example.com` or `http://localhost:3000`: scheme, host and optional port, nothing else. */
export const webOriginSchema = z
  .string()
  .max(300)
  .toLowerCase()
  .regex(
    /^https?:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/,
    'an origin like https://app.example.com (no path, no trailing slash)',
  )
  .refine(
    (origin) => origin.startsWith('https://') || /^http:\/\/localhost(:\d+)?$/.test(origin),
    'only https origins (http only for localhost)',
  );

const originHost = (origin: string) => origin.replace(/^https?:\/\//, '').replace(/:\d+$/, '');

/** Passkeys (WebAuthn): the relying party. */
export const passkeySettingsSchema = z
  .strictObject({
    /** The relying party id: the host name credentials are bound to (`example.com`). */
    rp_id: hostSchema,
    /** Shown by the authenticator when a passkey is created; default: the tenant name. */
    rp_name: z.string().trim().min(1).max(100).check(storableText).optional(),
    /** The web origins ceremonies may come from; each must be the rp id or a subdomain of it. */
    origins: z.array(webOriginSchema).min(1).max(10),
    /**
     * A signature counter that does not move forward (a cloned authenticator): `refuse` (default) refuses
     * the sign-in; `disable` also removes the credential, so its clone and the original both stop working.
     */
    counter_regression: z.enum(['refuse', 'disable']).optional(),
  })
  .refine(
    (s) =>
      s.origins.every((origin) => {
        const host = originHost(origin);
        return host === s.rp_id || host.endsWith(`.${s.rp_id}`);
      }),
    { message: 'every origin must be on the rp_id or a subdomain of it', path: ['origins'] },
  );
export type PasskeySettings = z.infer<typeof passkeySettingsSchema>;

/** Google ID tokens: accepted only when their `aud` is one of these OAuth client ids. */
export const googleSettingsSchema = z.strictObject({
  client_ids: z
    .array(
      z
        .string()
        .min(1)
        .max(256)
        .regex(/^[A-Za-z0-9._-]+$/, 'an OAuth client id'),
    )
    .min(1)
    .max(10),
});
export type GoogleSettings = z.infer<typeof googleSettingsSchema>;

/** Sign-In with Ethereum (EIP-4361): what a signed message must say. */
export const siweSettingsSchema = z.strictObject({
  /** The message's `domain` (the host, with a port if any, that asks for the signature): `app.example.com`. */
  domain: z
    .string()
    .max(260)
    .toLowerCase()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/, 'a host like app.example.com (with a port if any)'),
  /** The message's `uri` must have this origin. */
  uri: webOriginSchema,
  /** EIP-155 chain ids a message may name (`1` mainnet, `8453` Base, ...). */
  chain_ids: z.array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)).min(1).max(20),
});
export type SiweSettings = z.infer<typeof siweSettingsSchema>;

/** Privy: access tokens of this app, verified with its verification key. */
export const privySettingsSchema = z.strictObject({
  /** The Privy app id: the `aud` of its access tokens. */
  app_id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/, 'a Privy app id'),
  /** The app's verification key from the Privy dashboard: an ES256 public key, PEM (SPKI). */
  verification_key: z
    .string()
    .trim()
    .max(4096)
    .regex(/^-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]+-----END PUBLIC KEY-----$/, 'a PEM public key'),
});
export type PrivySettings = z.infer<typeof privySettingsSchema>;

/**
 * Phone codes (SMS): where the tenant's texts may go. SMS pumping sends codes to premium numbers in
 * countries the app has no users in; an allow-list of country calling codes refuses them before anything
 * is sent. Without the block, or without `allowed_calling_codes`, every destination is allowed.
 */
export const phoneSettingsSchema = z.strictObject({
  /**
   * E.164 prefixes a number must start with: country calling codes (`+1`, `+33`, `+44`), or a longer
   * prefix to narrow a shared code (`+1` is the whole North American plan, Caribbean islands included).
   */
  allowed_calling_codes: z
    .array(z.string().regex(/^\+[1-9]\d{0,5}$/, 'a calling code like +33 (an E.164 prefix)'))
    .min(1)
    .max(250)
    .refine((codes) => new Set(codes).size === codes.length, 'each calling code once')
    .optional(),
});
export type PhoneSettings = z.infer<typeof phoneSettingsSchema>;

/**
 * Two-step verification the tenant requires (`require_mfa`): of `everyone`, of accounts holding one of
 * `roles`, or of `none` (the default: each person chooses). A person it applies to who has no second factor
 * enrols at sign-in, before the first token (`401 mfa_enrollment_required`).
 */
export const mfaSettingsSchema = z
  .strictObject({
    required: z.enum(['none', 'everyone', 'roles']),
    /** With `required: roles`: the roles whose holders must use a second factor. */
    roles: z.array(identifierSchema).min(1).max(50).optional(),
  })
  .refine((s) => (s.required === 'roles') === (s.roles !== undefined), {
    message: 'roles goes with required: roles, and only with it',
    path: ['roles'],
  });
export type MfaSettings = z.infer<typeof mfaSettingsSchema>;

/** The stored settings (every block optional). */
export const authSettingsSchema = z.strictObject({
  passkey: passkeySettingsSchema.optional(),
  google: googleSettingsSchema.optional(),
  siwe: siweSettingsSchema.optional(),
  privy: privySettingsSchema.optional(),
  phone: phoneSettingsSchema.optional(),
  mfa: mfaSettingsSchema.optional(),
});
export type AuthSettings = z.infer<typeof authSettingsSchema>;

/** `PATCH /tenants/{id}`'s `auth_settings`: a block replaces that method's settings, `null` removes them. */
export const authSettingsPatchSchema = z
  .strictObject({
    passkey: passkeySettingsSchema.nullable().optional(),
    google: googleSettingsSchema.nullable().optional(),
    siwe: siweSettingsSchema.nullable().optional(),
    privy: privySettingsSchema.nullable().optional(),
    phone: phoneSettingsSchema.nullable().optional(),
    mfa: mfaSettingsSchema.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one of passkey, google, siwe, privy, phone, mfa');
export type AuthSettingsPatch = z.infer<typeof authSettingsPatchSchema>;
