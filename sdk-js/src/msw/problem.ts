import { buildProblem, type ErrorCode, type FieldError, type Problem } from '@enforcer/contract';

/** The mock throws the core's error family (one definition with the server's); answered as a problem. */
export { AppError as MockError, refusalError } from '@enforcer/core';

/** An RFC 9457 problem document, built as the server builds it (one builder, in @enforcer/contract). */
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
