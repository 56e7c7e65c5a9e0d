import { STATUS_CODES } from 'node:http';
import '../http/caller.js';
import type { Socket } from 'node:net';
import {
  buildProblem,
  checkRequestValue,
  type ErrorCode,
  formParameters,
  jsonCharsetAccepted,
  problemContentType,
  routeTakesBody,
} from '@enforcer/contract';
import type { AppRoute } from '@ts-rest/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';

/**
 * What every request goes through before a schema or a handler sees it, in one place:
 * - JSON bodies are UTF-8 (another charset is `415`; bytes that are not UTF-8 are `400`), parsed with
 *   prototype-poisoning protection, then checked by the contract's `checkRequestValue` (at most 64 levels
 *   deep; no NUL or lone surrogate in any key or value), so no validator can be made to recurse without
 *   bound and nothing reaches PostgreSQL that it would refuse or silently alter;
 * - query strings and path parameters get the same string check;
 * - routes that take no body refuse one.
 */

const UTF8 = new TextDecoder('utf-8', { fatal: true });

const clientError = (code: string, statusCode: number, message: string) =>
  Object.assign(new Error(message), { code, statusCode });

type Done = (error: Error | null, body?: unknown) => void;

export function installRequestBodyChecks(app: FastifyInstance): void {
  const parseJsonText = app.getDefaultJsonParser('error', 'error');

  /** Raw bytes → checked JSON value, for every parser that reads JSON. */
  const parseJsonBytes = (request: FastifyRequest, bytes: Buffer, done: Done) => {
    if (!jsonCharsetAccepted(request.headers['content-type'])) {
      done(new AppError('unsupported_media_type', 'Send JSON encoded as UTF-8 (charset=utf-8)'));
      return;
    }
    if (bytes.length === 0) {
      done(clientError('FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'empty JSON body'));
      return;
    }
    // The same buffer, not a copy: a signature is checked over exactly what arrived.
    request.rawBody = bytes;
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      done(new AppError('bad_request', 'The request body is not valid UTF-8'));
      return;
    }
    parseJsonText(request, text, (error, value) => {
      if (error) {
        done(error);
        return;
      }
      const problem = checkRequestValue(value, 'body');
      done(
        problem ? new AppError('validation_failed', 'The request is not valid', { errors: [problem] }) : null,
        value,
      );
    });
  };

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) =>
    parseJsonBytes(request, body as Buffer, done),
  );

  // `curl -d '{...}'` without a Content-Type header (as the seed's recipes are written) sends
  // JSON labelled as a form. Accept it as JSON when it is JSON; anything else stays a 415.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (request, body, done) => {
      const bytes = body as Buffer;
      // Routes whose contract says form (the OAuth endpoints, RFC 6749) get their parameters.
      const route = (request.routeOptions.config as { tsRestRoute?: AppRoute } | undefined)?.tsRestRoute;
      if (route && 'contentType' in route && route.contentType === 'application/x-www-form-urlencoded') {
        let text: string;
        try {
          text = UTF8.decode(bytes);
        } catch {
          done(new AppError('bad_request', 'The request body is not valid UTF-8'));
          return;
        }
        const value = formParameters(text);
        if (value === null) {
          done(new AppError('bad_request', 'The form body is not percent-encoded UTF-8'));
          return;
        }
        const problem = checkRequestValue(value, 'body');
        done(
          problem
            ? new AppError('validation_failed', 'The request is not valid', { errors: [problem] })
            : null,
          value,
        );
        return;
      }
      const first = bytes.toString('latin1').trimStart()[0];
      if (first !== '{' && first !== '[') {
        done(clientError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'form bodies are not accepted'));
        return;
      }
      parseJsonBytes(request, bytes, done);
    },
  );

  app.addHook('preValidation', async (request) => {
    const problem = checkRequestValue(request.query, 'query') ?? checkRequestValue(request.params, 'params');
    if (problem) throw new AppError('validation_failed', 'The request is not valid', { errors: [problem] });
    const route = (request.routeOptions.config as { tsRestRoute?: AppRoute } | undefined)?.tsRestRoute;
    if (route && request.body !== undefined && !routeTakesBody(route))
      throw new AppError(
        'bad_request',
        `${request.method} ${request.routeOptions.url} takes no request body`,
      );
  });
}

const FRAMEWORK_ERRORS: Record<string, [ErrorCode, string]> = {
  FST_ERR_BAD_URL: ['bad_request', 'The URL is not valid (malformed percent-encoding)'],
  FST_ERR_MAX_PARAM_LENGTH: ['uri_too_long', 'A path segment is longer than the server accepts'],
  FST_ERR_ASYNC_CONSTRAINT: ['bad_request', 'The request does not match any route constraint'],
};

/** Errors the router raises before a route runs (`frameworkErrors`), as problems. */
export function frameworkErrorHandler(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const [code, detail] = FRAMEWORK_ERRORS[error.code] ?? ['bad_request', 'The request is not valid'];
  // No `instance`: the URL is what could not be read, and is not echoed back.
  const body = buildProblem(code, detail);
  reply.status(body.status).type(problemContentType).send(JSON.stringify(body));
}

/**
 * Errors of the HTTP parser itself (a timeout, headers too large, a malformed request line), which never
 * reach a route: answered on the socket as problems instead of Fastify's own JSON.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 'request_timeout'
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 'headers_too_large'
        : 'bad_request';
  const problem = buildProblem(code, 'The HTTP request could not be read');
  const body = JSON.stringify(problem);
  const status = problem.status;
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: ${problemContentType}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
