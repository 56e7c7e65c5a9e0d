import { z } from 'zod';
import { c, problems, routeMeta } from '../common/route';
import { emailSchema, idParamsSchema, tenantCodeSchema, timestampSchema } from '../common/schemas';
import { parseUrl } from '../common/text';

/**
 * Magic links: a mailed link that signs in once, within 15 minutes. The link points at one of the
 * tenant's registered redirect URLs (never at an address the requester chooses: a link to someone
 * else's site would hand them the token), with `?token=` appended; the page there sends the token to
 * `POST /auth/login` with `provider: "magic_link"`.
 */

/** Where a link may point: https, or http on loopback for development; no fragment. */
export const magicLinkRedirectUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((value) => {
    // Runs even when z.url() already failed: a validator that throws would escape as a rejection.
    const url = parseUrl(value);
    if (!url) return false;
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    return (url.protocol === 'https:' || loopback) && url.hash === '' && !url.username && !url.password;
  }, 'an https URL (http only on localhost), without a fragment or credentials');

/** The token in a link: 32 random bytes, base64url. */
export const magicLinkTokenSchema = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9_-]{43}$/, 'a magic-link token is 43 base64url characters');

/** `POST /auth/login` with `provider: "magic_link"`. */
export const magicLinkLoginBodySchema = z.strictObject({
  provider: z.literal('magic_link'),
  token: magicLinkTokenSchema,
  tenant_code: tenantCodeSchema,
});
export type MagicLinkLoginBody = z.infer<typeof magicLinkLoginBodySchema>;

/** `POST /auth/magic-link/request`. `redirect_url` picks one of the tenant's URLs (default: the first). */
export const magicLinkRequestBodySchema = z.strictObject({
  email: emailSchema,
  tenant_code: tenantCodeSchema,
  redirect_url: magicLinkRedirectUrlSchema.optional(),
});
export type MagicLinkRequestBody = z.infer<typeof magicLinkRequestBodySchema>;

/** The same answer whether or not the email belongs to anyone. */
export const magicLinkRequestResponseSchema = z.object({
  sent: z.literal(true),
  channel: z.enum(['email']),
  expires_at: timestampSchema,
  /** Only from a development or test server; never in production. */
  token: z.string().optional(),
  link: z.string().optional(),
});
export type MagicLinkRequestResponse = z.infer<typeof magicLinkRequestResponseSchema>;

/** `GET`/`PUT /tenants/{id}/magic-link`: where the tenant's links may point. */
export const magicLinkSettingsSchema = z.object({ redirect_urls: z.array(z.string()) });
export type MagicLinkSettings = z.infer<typeof magicLinkSettingsSchema>;

export const putMagicLinkSettingsBodySchema = z.strictObject({
  redirect_urls: z
    .array(magicLinkRedirectUrlSchema)
    .max(10)
    .refine((list) => new Set(list).size === list.length, 'redirect URLs must not repeat'),
});
export type PutMagicLinkSettingsBody = z.infer<typeof putMagicLinkSettingsBodySchema>;

const meta = routeMeta('Auth');
const tenantMeta = routeMeta('Tenants');

export const magicLinkContract = c.router({
  request: {
    method: 'POST',
    path: '/auth/magic-link/request',
    summary: 'Mail a sign-in link (single use, 15 minutes)',
    description:
      'Answers the same whether or not the email belongs to anyone. `400 bad_request` when the tenant has no redirect URL, or `redirect_url` is not one of them; `429 rate_limited` after 5 links for one email in 15 minutes.',
    body: magicLinkRequestBodySchema,
    responses: { 200: magicLinkRequestResponseSchema, ...problems(403, 404) },
    metadata: meta({ auth: 'none' }),
  },
  getSettings: {
    method: 'GET',
    path: '/tenants/:id/magic-link',
    summary: "The URLs the tenant's magic links may point at",
    pathParams: idParamsSchema,
    responses: { 200: magicLinkSettingsSchema, ...problems(401, 403, 404) },
    metadata: tenantMeta({ auth: 'user_or_api_key', permission: 'tenants.read' }),
  },
  putSettings: {
    method: 'PUT',
    path: '/tenants/:id/magic-link',
    summary: "Set the URLs the tenant's magic links may point at (replaced as a whole)",
    pathParams: idParamsSchema,
    body: putMagicLinkSettingsBodySchema,
    responses: { 200: magicLinkSettingsSchema, ...problems(401, 403, 404) },
    metadata: tenantMeta({ auth: 'user_or_api_key', permission: 'tenants.update' }),
  },
});
