import { z } from 'zod';
import { idSchema, timestampSchema } from '../common/schemas';

/**
 * The `revocations` router (`GET /revocations`): what an offline verifier
 * (`@enforcer/node-verifier`) must learn between two polls so that a logout, a revoked
 * session or a change of role, groups or active flag takes effect without calling Enforcer
 * for every request.
 */

/** Largest page a caller may ask for. */
export const maxRevocationPage = 1000;

/**
 * `?cursor=&limit=`. Without a cursor, the feed starts with the changes of the last
 * `retention_seconds` (older ones no longer matter: every token minted before them has
 * expired). Cursors are opaque: pass back `next_cursor` unchanged.
 */
export const revocationsQuerySchema = z.object({
  cursor: z.string().min(1).max(4096).optional(),
  limit: z.coerce.number().int().min(1).max(maxRevocationPage).default(500),
});
export type RevocationsQuery = z.infer<typeof revocationsQuerySchema>;

/** A session that has ended (logout, refresh-token reuse, deactivation): its access tokens stop working. */
export const revokedSessionSchema = z.object({
  session_id: idSchema,
  account_id: idSchema,
  revoked_at: timestampSchema,
});
export type RevokedSession = z.infer<typeof revokedSessionSchema>;

/**
 * An account whose role, groups or active flag changed (or that was deleted), as it is NOW:
 * decisions about tokens with a `grant_version` up to this one use these roles and groups,
 * exactly as the server does with the account's current grant.
 */
export const accountGrantSchema = z.object({
  account_id: idSchema,
  /** False when deactivated or deleted: its tokens stop working. */
  active: z.boolean(),
  /** The account no longer exists. */
  deleted: z.boolean(),
  roles: z.array(z.string()),
  /** Group names, sorted as the server sorts them (by UTF-16 code units), as tokens carry them. */
  groups: z.array(z.string()),
  /** The account's grant version now (0 for a deleted account). */
  grant_version: z.number().int().nonnegative(),
  /** When the latest change reported here was recorded. */
  changed_at: timestampSchema,
});
export type AccountGrant = z.infer<typeof accountGrantSchema>;

/** An application's access token revoked before it expired (`POST /oauth/revoke`, #18): refuse it. */
export const revokedClientTokenSchema = z.object({
  /** The token's `jti`. */
  jti: z.string(),
  client_id: z.string(),
  revoked_at: timestampSchema,
});
export type RevokedClientTokenEntry = z.infer<typeof revokedClientTokenSchema>;

/**
 * An application (machine client, #18) whose scopes changed or that was deleted, as it is NOW: its tokens
 * decide with the scopes both the token and the application have (as the server does), and a deleted
 * application's tokens are refused.
 */
export const applicationGrantSchema = z.object({
  client_id: z.string(),
  deleted: z.boolean(),
  /** The application's scopes now (empty when deleted). */
  scopes: z.array(z.string()),
  changed_at: timestampSchema,
});
export type ApplicationGrant = z.infer<typeof applicationGrantSchema>;

/** `GET /revocations`: one page of changes, oldest first, and where to resume. */
export const revocationFeedSchema = z.object({
  /** The tenant of the API key: the feed, like the policy, is per tenant. */
  tenant_id: idSchema,
  sessions: z.array(revokedSessionSchema),
  accounts: z.array(accountGrantSchema),
  /** Applications' tokens revoked (#18; absent from servers before it, read as none). */
  client_tokens: z.array(revokedClientTokenSchema).default([]),
  /** Applications whose scopes changed or that were deleted (#18; absent from servers before it). */
  applications: z.array(applicationGrantSchema).default([]),
  /** Pass it back as `cursor` on the next poll (never null: a feed has no end). */
  next_cursor: z.string(),
  /** More changes are waiting: ask again at once with `next_cursor`. */
  has_more: z.boolean(),
  /**
   * How long an entry matters: the access-token lifetime plus the clock tolerance. A verifier
   * may forget an entry this long after it received it.
   */
  retention_seconds: z.number().int().positive(),
});
export type RevocationFeed = z.infer<typeof revocationFeedSchema>;
