import type { Action, Resource } from '@enforcer/contract/policy';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Verifier } from '../create-verifier';
import type { AnyPrincipal } from '../principal';
import {
  checkPermission,
  type EnforcerClientContext,
  type EnforcerContext,
  enforcerCaller,
  setCaller,
  verifiedCaller,
} from './context';
import { bearerToken, type ProblemAnswer, problemAnswer, problemForError } from './problem';

/** Per route, in `config.enforcer`: what the route requires. `false`: the route is public. */
export interface EnforcerRouteConfig {
  /** An action the caller must be allowed (`transfers.create`); a 403 `forbidden` otherwise. */
  permission?: Action;
  /** The record the permission is about, built from the request (params, body): checked after parsing. */
  resource?: (request: FastifyRequest) => Resource | Promise<Resource>;
  /** Verify a token when one is sent, but let requests without one through (`request.enforcer` null). */
  optional?: boolean;
  /** This route takes applications' tokens (or not), whatever the plugin's `acceptClientTokens` says. */
  acceptClientTokens?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `@enforcer/node-verifier`'s plugin: the verified account, or null (also for an application). */
    enforcer: EnforcerContext | null;
    /** Set by the plugin where applications' tokens are accepted: the verified application, or null. */
    enforcerClient: EnforcerClientContext | null;
  }
  interface FastifyContextConfig {
    enforcer?: EnforcerRouteConfig | false;
  }
}

export interface EnforcerFastifyOptions {
  /** With `acceptClientTokens` (here or on a route), one created with `acceptClientTokens: true` too. */
  verifier: Verifier<AnyPrincipal>;
  /**
   * Let applications' tokens (client credentials, #18) through on every route (a route's
   * `config.enforcer.acceptClientTokens` decides for itself): their caller is `request.enforcerClient`
   * (`kind: 'client'`) and `request.enforcer` stays null. Default false: 401 `token_invalid`.
   */
  acceptClientTokens?: boolean;
  /**
   * `all` (default): every route needs a valid token unless its `config.enforcer` is `false` or
   * `{ optional: true }`. `declared`: only routes with a `config.enforcer` object are checked.
   */
  routes?: 'all' | 'declared';
  /** Where the token is (default: `Authorization: Bearer <token>`). Null: a credential that is not a token. */
  getToken?: (request: FastifyRequest) => string | undefined | null;
  /** Told about every refusal (with the verifier's precise code), for logs. */
  onError?: (error: unknown, request: FastifyRequest) => void;
}

function send(reply: FastifyReply, answer: ProblemAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(JSON.stringify(answer.body));
}

async function checkRoute(
  request: FastifyRequest,
  reply: FastifyReply,
  route: EnforcerRouteConfig,
  onError: EnforcerFastifyOptions['onError'],
): Promise<FastifyReply | undefined> {
  const context = enforcerCaller(request);
  if (!context) return send(reply, problemAnswer('unauthenticated', undefined, request.url));
  try {
    const resource = route.resource ? await route.resource(request) : undefined;
    const result = checkPermission(context, route.permission!, resource);
    if (result.allowed) return undefined;
    return send(reply, problemAnswer('forbidden', result.detail, request.url, result.reason));
  } catch (error) {
    onError?.(error, request);
    return send(reply, problemForError(error, request.url));
  }
}

async function enforcerPlugin(app: FastifyInstance, options: EnforcerFastifyOptions): Promise<void> {
  const { verifier, onError } = options;
  const mode = options.routes ?? 'all';
  const getToken =
    options.getToken ?? ((request: FastifyRequest) => bearerToken(request.headers.authorization));
  await verifier.ready();

  app.decorateRequest('enforcer', null);
  app.decorateRequest('enforcerClient', null);

  // Authentication first, before the body is even read: a bad or missing token costs nothing more.
  app.addHook('onRequest', async (request, reply) => {
    setCaller(request, null);
    if (request.routeOptions.url === undefined) return; // no such route: let the 404 answer
    const route = request.routeOptions.config.enforcer;
    if (route === false || (route === undefined && mode === 'declared')) return;
    const token = getToken(request);
    if (token === undefined) {
      if (route?.optional) return;
      return send(reply, problemAnswer('unauthenticated', undefined, request.url));
    }
    try {
      if (token === null) return send(reply, problemAnswer('token_invalid', undefined, request.url));
      const acceptClientTokens =
        (route ? route.acceptClientTokens : undefined) ?? options.acceptClientTokens === true;
      setCaller(request, await verifiedCaller(verifier, token, acceptClientTokens));
    } catch (error) {
      onError?.(error, request);
      return send(reply, problemForError(error, request.url));
    }
    if (route?.permission && !route.resource) return checkRoute(request, reply, route, onError);
    return undefined;
  });

  // A permission about a record built from the body waits for the body.
  app.addHook('preHandler', async (request, reply) => {
    const route = request.routeOptions.config?.enforcer || undefined;
    if (!route?.permission || !route.resource) return;
    return checkRoute(request, reply, route, onError);
  });
}

/**
 * The Fastify plugin: `app.register(enforcer, { verifier })`. Not encapsulated (like `fastify-plugin`),
 * so its hooks cover the routes of the scope it is registered in. Every route then needs a valid access
 * token (401 problem otherwise), `request.enforcer` holds the principal, and `config.enforcer.permission`
 * asks the policy (403 problem otherwise).
 */
export const enforcer = Object.assign(enforcerPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@enforcer/node-verifier',
  [Symbol.for('plugin-meta')]: { name: '@enforcer/node-verifier', fastify: '5.x' },
});

/**
 * A preHandler requiring a permission (for routes that prefer hooks to `config.enforcer`):
 * `{ preHandler: requirePermission('transfers.create', (request) => ({ type: 'account', attributes })) }`.
 */
export function requirePermission(
  permission: Action,
  resource?: (request: FastifyRequest) => Resource | Promise<Resource>,
  options: { onError?: (error: unknown, request: FastifyRequest) => void } = {},
) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> =>
    checkRoute(request, reply, { permission, ...(resource ? { resource } : {}) }, options.onError);
}
