import { buildProblem, type ErrorCode, type FieldError, type Problem } from '@enforcer/contract';

export { fieldErrors } from '@enforcer/contract';

/** The mock throws the core's error family (one definition with the server's); answered as a problem. */
export { AppError, refusalError } from '@enforcer/core';

/** An RFC 9457 problem document, built as the server builds it (one builder, in @enforcer/contract). */
export const problem = (code: ErrorCode, detail: string, instance: string, errors?: FieldError[]): Problem =>
  buildProblem(code, detail, { instance, ...(errors ? { errors } : {}) });
