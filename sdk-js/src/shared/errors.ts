import type { ErrorCode, FieldError, Problem } from '@enforcer/contract';

/**
 * What can go wrong on the client side, beside the server's closed list of problem codes:
 * the network failed, the server answered something that is not our API, a call needs a
 * session and there is none, or a feature is not available here.
 */
export type ClientErrorCode = 'network_error' | 'invalid_response' | 'not_signed_in' | 'not_supported';

/** Every code an EnforcerError can carry: the server's (docs/errors.md) and the client's. */
export type EnforcerErrorCode = ErrorCode | ClientErrorCode;

/**
 * The one error the SDK throws. Switch on `code`, never on `message`. `status` is the HTTP
 * status (0 when there was no answer); `errors` lists field problems (`body.email`).
 */
export class EnforcerError extends Error {
  readonly code: EnforcerErrorCode;
  readonly status: number;
  readonly errors: FieldError[];
  /** The problem document as the server sent it, when there was one. */
  readonly problem: Problem | undefined;

  constructor(
    code: EnforcerErrorCode,
    message: string,
    options: { status?: number; errors?: FieldError[]; problem?: Problem; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EnforcerError';
    this.code = code;
    this.status = options.status ?? 0;
    this.errors = options.errors ?? [];
    this.problem = options.problem;
  }
}

export const isEnforcerError = (error: unknown, code?: EnforcerErrorCode): error is EnforcerError =>
  error instanceof EnforcerError && (code === undefined || error.code === code);

const isProblem = (body: unknown): body is Problem =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as Problem).code === 'string' &&
  typeof (body as Problem).status === 'number';

/** An error answer (any non-2xx) as an EnforcerError: the problem's code when it is one. */
export function errorFromResponse(response: { status: number; body: unknown }): EnforcerError {
  const { status, body } = response;
  if (isProblem(body)) {
    return new EnforcerError(body.code, body.detail ?? body.title, {
      status,
      errors: body.errors ?? [],
      problem: body,
    });
  }
  return new EnforcerError('invalid_response', `Unexpected answer with status ${status}`, { status });
}

/** The bodies of a response union's 2xx members (the contract's, not ts-rest's catch-all `unknown`). */
type Success<R> = R extends { status: infer S; body: infer B }
  ? S extends 200 | 201 | 202 | 204
    ? unknown extends B
      ? never
      : B
    : never
  : never;

/**
 * The body of a successful answer, or an EnforcerError thrown for any other:
 * `const { data } = await unwrap(enforcer.api.groups.list())`.
 */
export async function unwrap<R extends { status: number; body: unknown }>(
  response: R | Promise<R>,
): Promise<Success<R>> {
  const r = await response;
  if (r.status >= 200 && r.status < 300) return r.body as Success<R>;
  throw errorFromResponse(r);
}
