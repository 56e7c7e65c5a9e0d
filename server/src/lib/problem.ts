import {
  type ErrorCode,
  errorStatus,
  type FieldError,
  type Problem,
  problemContentType,
  problemType,
} from '@enforcer/contract';
import type { FastifyReply } from 'fastify';

const TITLES: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'The request is not valid',
  bad_request: 'Bad request',
  unauthenticated: 'Authentication required',
  token_expired: 'Token expired',
  token_invalid: 'Token invalid',
  refresh_token_invalid: 'Refresh token invalid',
  refresh_token_reused: 'Refresh token reused',
  forbidden: 'Forbidden',
  account_inactive: 'Account inactive',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  payload_too_large: 'Request body too large',
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

/** Builds an RFC 9457 problem document for a contract error code. */
export function problem(
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

/** Sends a problem as `application/problem+json` with its status. */
export function sendProblem(
  reply: FastifyReply,
  body: Problem,
  headers: Record<string, string> = {},
): FastifyReply {
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.status(body.status).type(problemContentType).send(JSON.stringify(body));
}
