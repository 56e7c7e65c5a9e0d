import type { ErrorCode, Problem } from '@enforcer/contract';
import { problemContentType, problemType } from '@enforcer/contract';
import { VerifierError, type VerifierErrorCode } from '../errors';
import type { DenialReason } from './context';

/** Problem codes the middleware answers with: the same closed list (and meaning) as Enforcer's own API. */
export type MiddlewareProblemCode = Extract<
  ErrorCode,
  | 'unauthenticated'
  | 'token_expired'
  | 'token_invalid'
  | 'account_inactive'
  | 'tenant_suspended'
  | 'forbidden'
  | 'unknown_resource_type'
  | 'unavailable'
  | 'internal_error'
>;

const STATUS: Record<MiddlewareProblemCode, number> = {
  unauthenticated: 401,
  token_expired: 401,
  token_invalid: 401,
  account_inactive: 403,
  tenant_suspended: 403,
  forbidden: 403,
  unknown_resource_type: 400,
  unavailable: 503,
  internal_error: 500,
};

const TITLE: Record<MiddlewareProblemCode, string> = {
  unauthenticated: 'Authentication required',
  token_expired: 'Token expired',
  token_invalid: 'Token invalid',
  account_inactive: 'Account inactive',
  tenant_suspended: 'Tenant suspended',
  forbidden: 'Forbidden',
  unknown_resource_type: 'Unknown resource type',
  unavailable: 'Service unavailable',
  internal_error: 'Internal error',
};

/** A verifier code → the problem code a client sees. Details stay server side (`onError`). */
const PROBLEM_OF: Record<VerifierErrorCode, MiddlewareProblemCode> = {
  malformed: 'token_invalid',
  token_too_large: 'token_invalid',
  disallowed_algorithm: 'token_invalid',
  forbidden_header: 'token_invalid',
  wrong_token_type: 'token_invalid',
  unknown_key: 'token_invalid',
  key_mismatch: 'token_invalid',
  bad_signature: 'token_invalid',
  wrong_issuer: 'token_invalid',
  wrong_audience: 'token_invalid',
  expired: 'token_expired',
  not_yet_valid: 'token_invalid',
  wrong_tenant: 'token_invalid',
  revoked: 'token_invalid',
  // An application's token where a person's is wanted (the server answers 401 token_invalid too).
  client_token: 'token_invalid',
  account_inactive: 'account_inactive',
  tenant_suspended: 'tenant_suspended',
  // A refresh mints a token with the account's current attributes: what an expired token needs too.
  stale_attributes: 'token_expired',
  keys_unavailable: 'unavailable',
  policy_unavailable: 'unavailable',
  revocations_unavailable: 'unavailable',
  unknown_resource_type: 'unknown_resource_type',
  invalid_options: 'internal_error',
};

const DETAIL: Partial<Record<MiddlewareProblemCode, string>> = {
  unauthenticated: 'This call needs an access token (Authorization: Bearer <token>)',
  token_expired: 'The access token has expired',
  token_invalid: 'The access token is not valid',
  account_inactive: 'This account has been deactivated',
  tenant_suspended: 'This tenant has been suspended',
  unavailable: 'Authorization is temporarily unavailable',
};

/** An answer the middleware sends: status, headers and an RFC 9457 body. */
export interface ProblemAnswer {
  status: number;
  headers: Record<string, string>;
  /** `reason` (an extension member of 403 `forbidden`): what the policy engine decided on. */
  body: Problem & { reason?: DenialReason };
}

export function problemAnswer(
  code: MiddlewareProblemCode,
  detail?: string,
  instance?: string,
  reason?: DenialReason,
): ProblemAnswer {
  const status = STATUS[code];
  const headers: Record<string, string> = { 'content-type': problemContentType, 'cache-control': 'no-store' };
  // RFC 6750: a 401 tells the client which scheme to use, and whether its token was the problem.
  if (status === 401) {
    headers['www-authenticate'] =
      code === 'unauthenticated'
        ? 'Bearer realm="enforcer"'
        : 'Bearer realm="enforcer", error="invalid_token"';
  }
  return {
    status,
    headers,
    body: {
      type: problemType(code),
      title: TITLE[code],
      status,
      code,
      ...((detail ?? DETAIL[code]) ? { detail: detail ?? DETAIL[code] } : {}),
      ...(instance ? { instance } : {}),
      ...(reason ? { reason } : {}),
    },
  };
}

/** Any error from verification or a decision → the answer (unknown errors are a 500 that reveals nothing). */
export function problemForError(error: unknown, instance?: string): ProblemAnswer {
  if (error instanceof VerifierError) return problemAnswer(PROBLEM_OF[error.code], undefined, instance);
  return problemAnswer('internal_error', undefined, instance);
}

/** `Authorization: Bearer <token>` → the token; anything else → undefined (no credential). */
export function bearerToken(authorization: string | string[] | undefined): string | undefined | null {
  if (typeof authorization !== 'string' || authorization === '') return undefined;
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization);
  // A header that is there but not a bearer token is a bad credential, not a missing one.
  return match ? match[1]! : null;
}
