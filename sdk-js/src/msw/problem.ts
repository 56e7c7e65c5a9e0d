import { buildProblem, type ErrorCode, type FieldError, type Problem } from '@enforcer/contract';
import type { Refusal } from '@enforcer/core';

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

/** An RFC 9457 problem document, built as the server builds it (one builder, in @enforcer/contract). */
/** A core service's refusal as the mock's error. */
export const refusalError = (refusal: Refusal): MockError =>
  new MockError(refusal.code, refusal.detail, refusal.headers ? { headers: refusal.headers } : {});

export const problem = (code: ErrorCode, detail: string, instance: string, errors?: FieldError[]): Problem =>
  buildProblem(code, detail, { instance, ...(errors ? { errors } : {}) });

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
