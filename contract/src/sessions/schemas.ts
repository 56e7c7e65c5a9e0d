import { z } from 'zod';
import { idSchema, paginationQuerySchema, timestampSchema } from '../common/schemas';
import { actorClaimSchema } from '../impersonation/schemas';

/**
 * Sessions as their owner and a tenant's admins see them. A session is one refresh-token family: ending it
 * makes its next refresh fail and puts it in the revocation feed (`GET /revocations`), so offline
 * verifiers refuse its access tokens within one poll.
 */
export const activeSessionSchema = z.object({
  id: idSchema,
  /** The tenant the session is bound to (`GET /auth/sessions` lists the person's sessions in every tenant). */
  tenant_id: idSchema,
  account_id: idSchema,
  created_at: timestampSchema,
  /** The last sign-in or refresh of the session. */
  last_used_at: timestampSchema,
  /** The absolute expiry: no refresh past it (an idle session stops refreshing earlier). */
  expires_at: timestampSchema,
  /** How the person proved who they are (RFC 8176 values: `otp`, `pwd`, `hwk`, ...). */
  amr: z.array(z.string()),
  /** The `User-Agent` of the sign-in or of the last refresh, as sent (null when none was). */
  user_agent: z.string().nullable(),
  /** The client address as the server saw it (behind a proxy: as the proxy reported it), or null. */
  ip: z.string().nullable(),
  /** A coarse label derived from the user agent, like "Chrome on macOS" ("Unknown device" when unknown). */
  device: z.string(),
  /** True on the session of the calling token. */
  current: z.boolean(),
  /** An impersonation session (#14): the admin's account acting in it; absent for the person's own. */
  act: actorClaimSchema.optional(),
});
export type ActiveSession = z.infer<typeof activeSessionSchema>;

/** `GET /auth/sessions` and `GET /accounts/{id}/sessions`: oldest first, cursor pagination. */
export const listSessionsQuerySchema = paginationQuerySchema;
export type ListSessionsQuery = z.infer<typeof listSessionsQuerySchema>;

/** `DELETE /auth/sessions?except=current`: ends every other session of the caller (required, to be explicit). */
export const endOtherSessionsQuerySchema = z.object({ except: z.literal('current') });
export type EndOtherSessionsQuery = z.infer<typeof endOtherSessionsQuerySchema>;

/** How many sessions a bulk end ended (those already ended are not counted). */
export const endedSessionsSchema = z.object({ sessions_ended: z.number().int().nonnegative() });
export type EndedSessions = z.infer<typeof endedSessionsSchema>;

export const accountSessionParamsSchema = z.object({ id: idSchema, session_id: idSchema });
