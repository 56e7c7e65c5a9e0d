import { z } from 'zod';
import { accountSchema, statusReasonSchema } from '../accounts/schemas';
import { idSchema, timestampSchema } from '../common/schemas';

/** The longest an impersonation token lives (15 minutes), and its default. */
export const maxImpersonationTtlSeconds = 900;

/** `POST /accounts/{id}/impersonate`: why (kept in the audit log), and for how long. */
export const impersonateBodySchema = z.strictObject({
  reason: statusReasonSchema,
  /** Seconds, at most 900 (the default). */
  ttl: z.number().int().min(1).max(maxImpersonationTtlSeconds).optional(),
});
export type ImpersonateBody = z.infer<typeof impersonateBodySchema>;

/** RFC 8693 §4.1 `act`: who acts through the token (the admin's account, in the same tenant). */
export const actorClaimSchema = z.object({ sub: z.string() });
export type ActorClaim = z.infer<typeof actorClaimSchema>;

/**
 * An access token for the target account, acted in by the caller: no refresh token (it cannot be
 * extended), in a session of its own (`session_id`) that ends early with `DELETE /accounts/{id}/sessions/{session_id}`.
 */
export const impersonationResponseSchema = z.object({
  /** The access token (JWT, `typ: at+jwt`, with `act`); send it as `Authorization: Bearer`. */
  token: z.string(),
  token_type: z.literal('Bearer'),
  expires_at: timestampSchema,
  session_id: idSchema,
  act: actorClaimSchema,
  account: accountSchema,
});
export type ImpersonationResponse = z.infer<typeof impersonationResponseSchema>;
