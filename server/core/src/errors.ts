import type { ErrorCode, FieldError } from '@enforcer/contract';
import type { Refusal } from './result.js';

/**
 * The one error family of Enforcer's rules: a stable code from the contract, a detail for people, and what
 * the problem document carries besides. The core's services throw it when a refusal aborts the whole unit
 * of work (nothing half-written); the server's error handler and the mock's dispatch both answer it as the
 * same RFC 9457 problem. Refusals that must commit with their transaction are `Result`s instead.
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

/** A refusal returned as data, raised as the error. */
export const refusalError = (refusal: Refusal): AppError =>
  new AppError(refusal.code, refusal.detail, refusal.headers ? { headers: refusal.headers } : undefined);
