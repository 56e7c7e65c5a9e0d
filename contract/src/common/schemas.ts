import { z } from 'zod';
import { storableText } from './text';

/**
 * Building blocks every domain uses. Request strings are always bounded so that an
 * oversized value is a 400 from validation, never a surprise further down.
 */

export const idSchema = z.uuid();

/** `{ id }` path parameters: a uuid, so a malformed id is a 400 and never reaches the database. */
export const idParamsSchema = z.object({ id: idSchema });

/** Lower_snake_case names (groups, roles, theme keys): the policy document's own rule. */
export { identifierSchema } from '../policy/schema';

/** Emails are compared case-insensitively, so the contract lower-cases them on the way in. */
export const emailSchema = z.email().max(254).toLowerCase();

/** A tenant code, like `2OPX-BYIE-GDUH`. Accepted in any case and surrounding whitespace. */
export const tenantCodeSchema = z
  .string()
  .max(32)
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/, 'a tenant code looks like 2OPX-BYIE-GDUH');

/** ISO 8601 instant as the server writes it (`Date#toISOString()`, UTC). */
export const timestampSchema = z.iso.datetime();
/** ISO 8601 instant as a client may send it (UTC or with an offset). */
export const timestampInputSchema = z.iso.datetime({ offset: true });

/** A one-time code: six digits. */
export const otpCodeSchema = z.string().regex(/^\d{6}$/, 'a one-time code is 6 digits');

/** A user access token (JWT). */
export const accessTokenSchema = z.string().min(1).max(8192);
/** An opaque refresh token. */
export const refreshTokenSchema = z.string().min(1).max(512);

/** A display name (tenant, API key, group description...): trimmed, non-empty. */
export const nameSchema = z.string().trim().min(1).max(100).check(storableText);
export const descriptionSchema = z.string().trim().max(500).check(storableText);

/**
 * The login methods a tenant can accept; `provider` on `POST /auth/login` and
 * `POST /auth/register` picks one. A closed list: a new method is a contract change.
 */
export const authProviderIds = [
  'email_otp',
  'phone_otp',
  'password',
  'passkey',
  'google',
  'siwe',
  'privy',
  'magic_link',
  'oauth',
] as const;
export const authProviderSchema = z.enum(authProviderIds);
export type AuthProvider = z.infer<typeof authProviderSchema>;

/** A string → value record with at most `max` entries (zod records have no size check of their own). */
export const boundedRecord = <K extends z.core.$ZodRecordKey, V extends z.core.SomeType>(
  key: K,
  value: V,
  max: number,
) =>
  z
    .record(key, value)
    .refine((r) => Object.keys(r).length <= max, { message: `at most ${max} entries`, abort: true });

// ---------------------------------------------------------------------------------------------
// Pagination

export const defaultPageSize = 50;
export const maxPageSize = 100;

/**
 * `?limit=&cursor=`. Cursors are opaque (the server encodes its position), so clients
 * only ever pass back `pagination.next_cursor`. Query objects are not strict: unknown
 * query parameters (cache busters, tracking) are ignored rather than rejected.
 */
export const paginationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(defaultPageSize),
  cursor: z.string().min(1).max(512).check(storableText).optional(),
});
export type PaginationQuery = z.infer<typeof paginationQuerySchema>;

export const paginationSchema = z.object({
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});
export type Pagination = z.infer<typeof paginationSchema>;

/** `{ data: T[], pagination: { next_cursor, has_more } }` */
export const paginated = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), pagination: paginationSchema });

/** `{ data: T[] }` for lists that are small by construction (the role catalog, one account's groups). */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });

export type Paginated<T> = { data: T[]; pagination: Pagination };

/** How a message reaches a person: a mail or a text (a code's answer, a template, a preview). */
export const messageChannelSchema = z.enum(['email', 'sms']);
