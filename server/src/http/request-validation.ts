import { type FieldError, fieldErrors, type SchemaIssue } from '@enforcer/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '../lib/problem.js';

type IssueLike = SchemaIssue;

/** ts-rest's RequestValidationError, recognised by shape so any copy of the class matches. */
interface RequestValidationErrorLike {
  name: string;
  pathParams: { issues: readonly IssueLike[] } | null;
  headers: { issues: readonly IssueLike[] } | null;
  query: { issues: readonly IssueLike[] } | null;
  body: { issues: readonly IssueLike[] } | null;
}

// @ts-rest/fastify does not export its RequestValidationError class, and never sets `name`
// on it: recognise it by its constructor and its fields.
export const isRequestValidationError = (error: unknown): error is RequestValidationErrorLike =>
  error instanceof Error &&
  (error.name === 'RequestValidationError' || error.constructor?.name === 'RequestValidationError') &&
  'body' in error &&
  'query' in error &&
  'pathParams' in error;

/** ts-rest request validation failure → field errors, for `requestValidationErrorHandler`. */
export const requestValidationFieldErrors = (error: RequestValidationErrorLike): FieldError[] => [
  ...fieldErrors('params', error.pathParams?.issues ?? []),
  ...fieldErrors('headers', error.headers?.issues ?? []),
  ...fieldErrors('query', error.query?.issues ?? []),
  ...fieldErrors('body', error.body?.issues ?? []),
];

/**
 * For `registerRouter(..., { requestValidationErrorHandler })` of @ts-rest/fastify: answers a request that
 * fails the contract's schemas with a 400 `validation_failed` problem listing every field.
 */
export function handleRequestValidationError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const errors = isRequestValidationError(error) ? requestValidationFieldErrors(error) : [];
  sendProblem(
    reply,
    problem('validation_failed', 'The request does not match the API schema', {
      instance: request.url.split('?')[0] ?? request.url,
      errors,
    }),
  );
}
