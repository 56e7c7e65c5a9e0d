import { z } from 'zod';

import { type ErrorCode, errorCodes, errorStatus } from './error-codes';

export { type ErrorCode, errorCodes, errorStatus };
export const errorCodeSchema = z.enum(errorCodes);

/** One problem with one field of the request (`path` is where it is, e.g. `body.email`). */
export const fieldErrorSchema = z.object({
  path: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** A validation issue as zod (or any Standard Schema) reports it. */
export interface SchemaIssue {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

/**
 * Schema issues → field errors under a prefix (`body.email`; `(root)` for the value itself), as the server's
 * error handler and the mock both answer them.
 */
export const fieldErrors = (prefix: string, issues: readonly SchemaIssue[]): FieldError[] =>
  issues.map((issue) => ({
    path:
      [prefix, ...(issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p))]
        .filter((part) => part !== '')
        .join('.') ||
      prefix ||
      '(root)',
    message: issue.message,
  }));

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: errorCodeSchema,
  errors: z.array(fieldErrorSchema).optional(),
  /**
   * Extension members of `mfa_required` (RFC 9457 §3.2): the password (or other first factor) was right
   * and the person has MFA on. Finish with `POST /auth/mfa/verify` and this token (single use, short-lived).
   * Also of `mfa_enrollment_required` (the tenant requires MFA, the person has none yet): enrol with
   * `POST /auth/mfa/enroll` and finish with `POST /auth/mfa/enroll/confirm` and this token.
   */
  mfa_token: z.string().optional(),
  mfa_token_expires_at: z.iso.datetime().optional(),
  /** The second factors that can finish the sign-in: `totp`, `recovery_code`. */
  mfa_methods: z.array(z.string()).optional(),
  /**
   * Extension member of a `forbidden` refusal by a route's permission: the policy engine's reason kind
   * (`no_matching_allow`: nothing grants it; `denied_by_rule`: a deny rule applies).
   */
  reason: z.string().optional(),
});
export type Problem = z.infer<typeof problemSchema>;

/** The `type` URI of a problem: stable, and documented in docs/errors.md. */
export const problemType = (code: ErrorCode): string =>
  `https://enforcer.dev/problems/${code.replace(/_/g, '-')}`;

/** The media type of every error body (RFC 9457). */
export const problemContentType = 'application/problem+json';

const TITLES: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'The request is not valid',
  bad_request: 'Bad request',
  webhook_url_refused: 'Webhook URL refused',
  template_invalid: 'Template invalid',
  unauthenticated: 'Authentication required',
  token_expired: 'Token expired',
  token_invalid: 'Token invalid',
  refresh_token_invalid: 'Refresh token invalid',
  refresh_token_reused: 'Refresh token reused',
  csrf_check_failed: 'Cross-site request refused',
  forbidden: 'Forbidden',
  account_inactive: 'Account inactive',
  tenant_suspended: 'Tenant suspended',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  payload_too_large: 'Request body too large',
  uri_too_long: 'URI too long',
  request_timeout: 'Request timeout',
  headers_too_large: 'Request headers too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  internal_error: 'Internal error',
  unavailable: 'Service unavailable',
};

/** A title for a code: the table above, else the code in words (`invalid_otp` → `Invalid otp`). */
export const problemTitle = (code: ErrorCode): string => {
  const words = code.replace(/_/g, ' ');
  return TITLES[code] ?? words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * An RFC 9457 problem document for a contract error code: one builder for the server and
 * the MSW mock, so both answer with the same type, title and status for a code.
 */
export function buildProblem(
  code: ErrorCode,
  detail?: string,
  extra: { instance?: string; errors?: FieldError[]; extensions?: Record<string, unknown> } = {},
): Problem {
  return {
    ...extra.extensions,
    type: problemType(code),
    title: problemTitle(code),
    status: errorStatus[code],
    ...(detail ? { detail } : {}),
    ...(extra.instance ? { instance: extra.instance } : {}),
    code,
    ...(extra.errors && extra.errors.length > 0 ? { errors: extra.errors } : {}),
  };
}
