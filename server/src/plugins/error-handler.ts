import { type ErrorCode, fieldErrors } from '@enforcer/contract';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { handleRequestValidationError, isRequestValidationError } from '../http/request-validation.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../lib/database-unavailable.js';
import { isAppError } from '../lib/errors.js';
import { problem, sendProblem } from '../lib/problem.js';

const FASTIFY_CODES: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'The request body is larger than the server accepts'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'Send the request body as application/json'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['bad_request', 'The request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    'bad_request',
    'The request body is empty but the content type is application/json',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['bad_request', 'Content-Length does not match the body'],
};

const STATUS_CODES: Record<number, ErrorCode> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

const path = (request: FastifyRequest) => request.url.split('?')[0] ?? request.url;

/**
 * The one error handler: every failure leaves as an RFC 9457 problem with a contract code. Client mistakes
 * (bad JSON, too large, wrong media type, schema violations) are 4xx with a clear message; anything
 * unexpected is a 500 `internal_error` that reveals nothing and is logged with its stack.
 */
export function errorHandler(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const instance = path(request);
  if (isAppError(error)) {
    // A refusal is routine; one caused by a failure (readiness: the database down) says what failed.
    if (error.cause === undefined) request.log.info({ code: error.code }, error.message);
    else request.log.warn({ code: error.code, err: error.cause }, error.message);
    sendProblem(
      reply,
      problem(error.code, error.message, {
        instance,
        ...(error.errors ? { errors: error.errors } : {}),
        ...(error.extensions ? { extensions: error.extensions } : {}),
      }),
      error.headers,
    );
    return;
  }
  if (isRequestValidationError(error)) {
    handleRequestValidationError(error, request, reply);
    return;
  }
  if (error instanceof ZodError) {
    sendProblem(
      reply,
      problem('validation_failed', 'The request is not valid', {
        instance,
        errors: fieldErrors('', error.issues),
      }),
    );
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const prefix = fastifyError.validationContext ?? '';
    const errors = fastifyError.validation.map((issue) => ({
      path: [prefix, ...issue.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.') || prefix,
      message: issue.message ?? 'is not valid',
    }));
    sendProblem(reply, problem('validation_failed', 'The request is not valid', { instance, errors }));
    return;
  }
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) {
    sendProblem(reply, problem(known[0], known[1], { instance }));
    return;
  }
  // Other fastify client errors (bad URL, malformed headers, ...); also JSON SyntaxErrors from custom parsers.
  const status = fastifyError.statusCode ?? (error instanceof SyntaxError ? 400 : 500);
  if (status >= 400 && status < 500) {
    // Fastify's messages may quote what the client sent (a header, a path): never at length.
    const detail = error.message.length > 200 ? `${error.message.slice(0, 200)}…` : error.message;
    sendProblem(reply, problem(STATUS_CODES[status] ?? 'bad_request', detail, { instance }));
    return;
  }
  if (status === 503) {
    sendProblem(reply, problem('unavailable', 'The service is temporarily unavailable', { instance }));
    return;
  }
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    const detail = 'The database is not reachable right now; try again shortly';
    const headers = { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) };
    sendProblem(reply, problem('unavailable', detail, { instance }), headers);
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  sendProblem(reply, problem('internal_error', 'An unexpected error occurred', { instance }));
}

interface KnownRoute {
  methods: string[];
  pattern: RegExp;
}

const escapeRegex = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `/groups/:id/members` → a regex matching concrete paths of that route. */
export const routePattern = (url: string): RegExp =>
  new RegExp(
    `^${url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : escapeRegex(segment)))
      .join('/')}/?$`,
  );

/**
 * Installs the error handler, and 404/405 as problems. 405 (with `Allow`) when the path exists for other
 * methods; the routes are collected as they are registered.
 */
export function installErrorHandling(app: FastifyInstance): void {
  const routes: KnownRoute[] = [];
  app.addHook('onRoute', (route) => {
    // CORS answers preflights on every path (`OPTIONS *`): that is the browser's protocol, not a method
    // of any resource, so `Allow` does not list it.
    if (route.url === '*') return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    routes.push({ methods: methods.map((method) => method.toUpperCase()), pattern: routePattern(route.url) });
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    const instance = path(request);
    const allowed = new Set<string>();
    for (const route of routes) {
      if (route.pattern.test(instance)) for (const method of route.methods) allowed.add(method);
    }
    if (allowed.size > 0) {
      const allow = [...allowed].sort().join(', ');
      sendProblem(
        reply,
        problem('method_not_allowed', `${request.method} is not supported here; use ${allow}`, { instance }),
        { allow },
      );
      return;
    }
    sendProblem(reply, problem('not_found', `No route ${request.method} ${instance}`, { instance }));
  });
}
