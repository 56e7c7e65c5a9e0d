import { type ErrorCode, errorStatus, type FieldError, type Problem, problemType } from '@enforcer/contract';

/** Thrown by the mock's routes; answered as a problem, like the server's AppError. */
export class MockError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  /** RFC 9457 extension members (`mfa_token` of `mfa_required`). */
  readonly extensions: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      extensions?: Record<string, unknown>;
    } = {},
  ) {
    super(detail);
    this.code = code;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

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

const title = (code: ErrorCode) => {
  const words = code.replace(/_/g, ' ');
  return TITLES[code] ?? words.charAt(0).toUpperCase() + words.slice(1);
};

/** An RFC 9457 problem document, shaped as the server's. */
export function problem(code: ErrorCode, detail: string, instance: string, errors?: FieldError[]): Problem {
  return {
    type: problemType(code),
    title: title(code),
    status: errorStatus[code],
    detail,
    instance,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

interface IssueLike {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

/** zod issues → field errors (`body.email`), as the server's error handler writes them. */
export const fieldErrors = (prefix: string, issues: readonly IssueLike[]): FieldError[] =>
  issues.map((issue) => ({
    path:
      [prefix, ...(issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p))]
        .filter((part) => part !== '')
        .join('.') ||
      prefix ||
      '(root)',
    message: issue.message,
  }));
