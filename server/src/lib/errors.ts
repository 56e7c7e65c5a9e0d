import type { ErrorCode, FieldError } from '@enforcer/contract';
import type { Refusal } from '@enforcer/core';

/**
 * The one error family of the server: every failure a handler or service reports carries a stable code
 * from the contract; the error handler turns it into an RFC 9457 problem. Callers switch on `code`.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  /** Extra response headers (e.g. `Allow` for 405, `Retry-After` for 429). */
  readonly headers: Record<string, string> | undefined;
  /** RFC 9457 extension members the contract declares for this code (e.g. `mfa_token` for `mfa_required`). */
  readonly extensions: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    options?: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      extensions?: Record<string, unknown>;
      cause?: unknown;
    },
  ) {
    super(detail ?? code, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.errors = options?.errors;
    this.headers = options?.headers;
    this.extensions = options?.extensions;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** A core service's refusal as the server's error. */
export const refusalError = (refusal: Refusal): AppError =>
  new AppError(refusal.code, refusal.detail, refusal.headers ? { headers: refusal.headers } : undefined);
