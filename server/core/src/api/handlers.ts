import type { AppRoute, AppRouter, ServerInferRequest, ServerInferResponses } from '@ts-rest/core';
import type { CookieInstruction } from '../auth/refresh-cookie.js';
import type { Caller, ClientInfo } from '../caller.js';
import { AppError } from '../errors.js';
import type { PlatformCaller } from '../operator/keys.js';

/**
 * The API's handlers, written once against the contract and framework-free: the server registers them with
 * Fastify (through ts-rest), the mock with MSW. Requests arrive parsed by the contract's schemas and the
 * caller already authenticated and permitted by the route's metadata; a handler calls a service and
 * returns the contract's response (and response headers, such as an ETag), or throws `AppError`.
 */
export interface HandlerContext {
  /** Who is calling (undefined on public routes). */
  caller: Caller | undefined;
  /** The platform key on a `/platform/*` route (those routes have no tenant caller). */
  platform?: PlatformCaller | undefined;
  client: ClientInfo;
  /** The request's cookies (only the refresh-token cookie mode reads one). */
  cookies?: Readonly<Record<string, string>>;
  /** The request body's exact bytes, for routes that check a signature over them (KYC webhooks). */
  rawBody?: Uint8Array;
}

export type Handler<R extends AppRoute> = (
  request: ServerInferRequest<R>,
  ctx: HandlerContext,
) => Promise<
  ServerInferResponses<R> & { headers?: Record<string, string>; cookies?: readonly CookieInstruction[] }
>;

export type Handlers<T extends AppRouter> = {
  [K in keyof T]: T[K] extends AppRoute ? Handler<T[K]> : T[K] extends AppRouter ? Handlers<T[K]> : never;
};

/** The caller of a route whose metadata requires one (the HTTP layer has refused anonymous calls). */
export function callerOf(ctx: HandlerContext): Caller {
  if (!ctx.caller) throw new AppError('unauthenticated', 'This call needs a credential');
  return ctx.caller;
}
