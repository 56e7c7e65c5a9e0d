import {
  checkRequestValue,
  contract,
  errorStatus,
  formParameters,
  getRouteMetadata,
  jsonCharsetAccepted,
  problemContentType,
  type RouteMetadata,
  rootContract,
  routeTakesBody,
} from '@enforcer/contract';
import {
  type ApiKeyCaller,
  assertSessionLive,
  assertTenantActive,
  authenticateApiKey,
  authenticateClientToken,
  authenticatePlatformRoute,
  authenticateRoute,
  type Caller,
  type CookieInstruction,
  type CredentialVerifiers,
  type Handler,
  type Handlers,
  inRefreshCookieMode,
  isPrivyToken,
  type PlatformCaller,
  type PlatformKeyEntry,
  type PrivyBearerDeps,
  privyBearerClaims,
  readCredential,
  recordImpersonatedRequest,
  requireRoutePermission,
  subjectOfCaller,
  TENANT_HEADER,
  type UserCaller,
  userSubjectAttributes,
  verifyPlatformKey,
  webCryptoHashing,
  webCryptoRandom,
} from '@enforcer/core';
import { groupNamesOf } from '@enforcer/core/memory';
import { type AppRoute, type AppRouter, isAppRoute, isAppRouteOtherResponse } from '@ts-rest/core';
import { mockPrivyVerifier } from './methods/privy';
import { AppError, fieldErrors, problem } from './problem';
import type { MockStore } from './store';
import type { MockTokens } from './tokens';

/** One request the mock answered: what tests count (`mock.requests`). */
export interface MockRequestRecord {
  /** The contract route, `auth.refresh`; `unknown` for paths outside the contract. */
  route: string;
  method: string;
  path: string;
  status: number;
}

interface CompiledRoute {
  key: string;
  route: AppRoute;
  pattern: RegExp;
  params: string[];
  handler: Handler<AppRoute>;
}

const BODY_LIMIT = 65_536;

function flatten(router: AppRouter, handlers: Record<string, unknown>, prefix = ''): CompiledRoute[] {
  return Object.entries(router).flatMap(([name, value]) => {
    const key = prefix ? `${prefix}.${name}` : name;
    const own = handlers[name];
    if (!isAppRoute(value)) return flatten(value, own as Record<string, unknown>, key);
    const params: string[] = [];
    const source = value.path
      .split('/')
      .map((part) => {
        if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        params.push(part.slice(1));
        return '([^/]+)';
      })
      .join('/');
    return [
      { key, route: value, pattern: new RegExp(`^${source}/?$`), params, handler: own as Handler<AppRoute> },
    ];
  });
}

const isSchema = (
  value: unknown,
): value is { safeParse(input: unknown): { success: boolean; data?: unknown; error?: { issues: [] } } } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { safeParse?: unknown }).safeParse === 'function';

/** A path segment as the server's router decodes it; malformed percent-encoding is the server's 400. */
const decodePathSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError('bad_request', 'The URL is not valid (malformed percent-encoding)');
  }
};

/** A `Set-Cookie` value as the server's @fastify/cookie writes it. */
function serializeCookie(cookie: CookieInstruction): string {
  return [
    `${cookie.name}=${cookie.value}`,
    `Max-Age=${cookie.maxAge}`,
    `Path=${cookie.path}`,
    'HttpOnly',
    'Secure',
    'SameSite=Strict',
  ].join('; ');
}

/**
 * Routes requests to the contract's routes the way the server does: body parsing (400,
 * 413, 415), then authentication and the route's permission (from the route's metadata in
 * the contract), then validation against the contract's zod schemas (400
 * `validation_failed` with `params.` / `query.` / `body.` paths), then the handler.
 */
export function createDispatcher(options: {
  store: MockStore;
  tokens: MockTokens;
  /** The core's handlers of every route (the server registers the same ones with Fastify). */
  handlers: Handlers<typeof contract>;
  log: MockRequestRecord[];
  validateResponses: boolean;
  /** The page's origin: sent as `Origin` when a request has none, as a browser would (cookie mode). */
  pageOrigin: string;
  /** The refresh cookie's lifetime (the session's absolute lifetime). */
  refreshCookieMaxAge: number;
  /** The deployment operator's keys (`createEnforcerMock({ platformKeys })`). */
  platformKeys: readonly PlatformKeyEntry[];
}) {
  const { store, tokens, log, handlers, platformKeys } = options;
  const routes = [
    ...flatten(contract, handlers),
    // Discovery and health are also served at the host root (same handlers).
    ...flatten(rootContract, { discovery: handlers.discovery, health: handlers.health }),
  ];

  const privyBearer: PrivyBearerDeps = {
    privy: mockPrivyVerifier(store, tokens.settings.clockTolerance),
    clock: store.db,
    sessionKey: webCryptoRandom.bytes(32),
    absoluteTtlSeconds: tokens.settings.refreshAbsoluteTtl,
  };
  const verifyUser = async (token: string, request: Request): Promise<UserCaller> => {
    // A Privy access token is accepted in place of ours: the core's rules, as on the server.
    const claims = isPrivyToken(token)
      ? await store.db.transaction((repos) =>
          privyBearerClaims(repos, privyBearer, {
            token,
            tenantHeader: request.headers.get(TENANT_HEADER),
            client: { ip: null, userAgent: request.headers.get('user-agent') },
          }),
        )
      : await tokens.verifyAccessToken(token);
    const session = store.db.tables.sessions.get(claims.sid);
    const account = session && store.account(session.accountId);
    const actor = session?.actorAccountId ? store.account(session.actorAccountId) : undefined;
    assertSessionLive(
      claims,
      session &&
        account && {
          revoked: session.revokedAt !== null,
          accountId: session.accountId,
          tenantId: account.tenantId,
          accountActive: account.active,
          actorAccountId: session.actorAccountId ?? null,
          actorActive: actor ? actor.active : null,
        },
    );
    // The account as it is now decides (its role and groups), with the session's MFA recency.
    const live = account!;
    assertTenantActive(store.tenant(live.tenantId));
    return {
      kind: 'user',
      tenantId: live.tenantId,
      accountId: live.id,
      personId: live.personId,
      sessionId: claims.sid,
      roles: [...live.roles],
      groups: groupNamesOf(store.db, live.id),
      // The account's public metadata through the tenant's policy, as the server fills it.
      attributes: userSubjectAttributes(
        store.policyOf(live.tenantId).effective,
        live.metadata.publicMetadata,
        claims,
        store.now(),
      ),
      amr: [...claims.amr],
      ...(session?.actorAccountId ? { actorAccountId: session.actorAccountId } : {}),
    };
  };

  // The core's rules, as the server's authenticate preHandler (the memory database is the clock too).
  const verifyApiKey = async (secret: string): Promise<ApiKeyCaller> => {
    const key = await store.db.transaction((repos) => authenticateApiKey(repos, { clock: store.db }, secret));
    return {
      kind: 'api_key',
      tenantId: key.tenantId,
      apiKeyId: key.id,
      role: key.role,
      createdBy: key.createdBy,
    };
  };

  /** The core's authentication rules with the mock's verifiers, then the route's permission. */
  const authenticate = async (
    meta: RouteMetadata,
    request: Request,
  ): Promise<{ caller?: Caller | undefined; platform?: PlatformCaller }> => {
    // OAuth endpoints read their client's credentials themselves (HTTP Basic, form, API key), as on the server.
    if (meta.clientAuthentication) return {};
    const credential = readCredential({
      apiKey: request.headers.get('x-api-key'),
      authorization: request.headers.get('authorization'),
    });
    const verifiers: CredentialVerifiers<Caller> = {
      user: (token: string) => verifyUser(token, request),
      apiKey: verifyApiKey,
      // An application's token (#18), on the decision routes only: the core's rules, as on the server.
      client: (token: string) =>
        store.db.read((repos) =>
          authenticateClientToken(repos, { access: tokens.access, clock: store.db }, token),
        ),
      platform: (key: string) => verifyPlatformKey(webCryptoHashing, platformKeys, key),
    };
    if (meta.auth === 'platform') {
      return { platform: await authenticatePlatformRoute<Caller>(meta, credential, verifiers) };
    }
    const caller = await authenticateRoute<Caller>(meta, credential, verifiers);
    if (meta.permission && caller) {
      const { compiled } = store.policyOf(caller.tenantId);
      requireRoutePermission(compiled, subjectOfCaller(caller), meta.permission);
    }
    return { caller };
  };

  /** JSON text → a value within the contract's depth and string rules (`checkRequestValue`), as the server. */
  const checked = (text: string): unknown => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new AppError('bad_request', 'The request body is not valid JSON');
    }
    const problem = checkRequestValue(value, 'body');
    if (problem) throw new AppError('validation_failed', 'The request is not valid', { errors: [problem] });
    return value;
  };

  const readBody = async (request: Request, route: AppRoute, text: string): Promise<unknown> => {
    const type = request.headers.get('content-type') ?? '';
    if (text.length > BODY_LIMIT) {
      throw new AppError('payload_too_large', 'The request body is larger than the server accepts');
    }
    // Routes whose contract says form (the OAuth endpoints) get their parameters, as on the server.
    if (
      'contentType' in route &&
      route.contentType === 'application/x-www-form-urlencoded' &&
      type.includes('application/x-www-form-urlencoded')
    ) {
      const value = formParameters(text);
      if (value === null) throw new AppError('bad_request', 'The form body is not percent-encoded UTF-8');
      const problem = checkRequestValue(value, 'body');
      if (problem) throw new AppError('validation_failed', 'The request is not valid', { errors: [problem] });
      return value;
    }
    if (type.includes('application/json')) {
      if (!jsonCharsetAccepted(type))
        throw new AppError('unsupported_media_type', 'Send JSON encoded as UTF-8 (charset=utf-8)');
      if (text === '')
        throw new AppError(
          'bad_request',
          'The request body is empty but the content type is application/json',
        );
      return checked(text);
    }
    if (text === '') return undefined;
    const trimmed = text.trim();
    if (
      type.includes('application/x-www-form-urlencoded') &&
      (trimmed.startsWith('{') || trimmed.startsWith('['))
    ) {
      return checked(trimmed);
    }
    throw new AppError('unsupported_media_type', 'Send the request body as application/json');
  };

  const validate = (
    route: AppRoute,
    raw: {
      params: Record<string, string>;
      query: Record<string, string>;
      headers: Record<string, string>;
      body: unknown;
    },
  ) => {
    const errors: ReturnType<typeof fieldErrors> = [];
    const parse = (prefix: string, schema: unknown, input: unknown) => {
      if (!isSchema(schema)) return input;
      const result = schema.safeParse(input);
      if (!result.success) {
        errors.push(...fieldErrors(prefix, result.error?.issues ?? []));
        return undefined;
      }
      return result.data;
    };
    const params = parse('params', route.pathParams, raw.params) ?? raw.params;
    let headers: Record<string, unknown> = raw.headers;
    if (route.headers && typeof route.headers === 'object' && !isSchema(route.headers)) {
      headers = { ...raw.headers };
      for (const [name, schema] of Object.entries(route.headers as Record<string, unknown>)) {
        headers[name] = parse(`headers.${name}`, schema, raw.headers[name]);
      }
    }
    const query = 'query' in route ? parse('query', route.query, raw.query) : undefined;
    const body = route.method !== 'GET' && 'body' in route ? parse('body', route.body, raw.body) : undefined;
    if (errors.length > 0) {
      throw new AppError('validation_failed', 'The request does not match the API schema', { errors });
    }
    return { params, headers, query, body };
  };

  const checkResponse = (route: AppRoute, key: string, status: number, body: unknown) => {
    const schema = (route.responses as Record<number, unknown>)[status];
    if (!isSchema(schema)) return;
    const result = schema.safeParse(body);
    if (!result.success) {
      throw new Error(
        `[enforcer mock] ${key} answered ${status} outside the contract: ${JSON.stringify(result.error?.issues)}`,
      );
    }
  };

  const send = (
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    type = 'application/json',
    cookies: readonly CookieInstruction[] = [],
  ) => {
    const response = new Response(status === 204 || body === undefined ? null : JSON.stringify(body), {
      status,
      headers: {
        ...(status === 204 || body === undefined ? {} : { 'content-type': type }),
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...headers,
      },
    });
    for (const cookie of cookies) response.headers.append('set-cookie', serializeCookie(cookie));
    return response;
  };

  /**
   * The browser's cookie jar, as far as the refresh cookie goes (cookie mode): Node's fetch keeps none, and
   * in a browser a mocked answer's `Set-Cookie` never reaches the real jar. Cookies are sent back by path,
   * as a browser sends them to a same-site Enforcer; `SameSite`, `Secure` and `HttpOnly` are not enforced.
   */
  const jar = new Map<string, CookieInstruction>();
  const keep = (cookies: readonly CookieInstruction[]) => {
    for (const cookie of cookies) {
      const key = `${cookie.name} ${cookie.path}`;
      if (cookie.maxAge <= 0) jar.delete(key);
      else jar.set(key, cookie);
    }
  };
  const cookiesFor = (request: Request, path: string): Record<string, string> => {
    const cookies: Record<string, string> = {};
    // Sent whatever the request's credentials mode: MSW's Node interceptor does not keep it (every request
    // reads `same-origin`), and the SDK's cookie mode always asks for `include`.
    for (const cookie of jar.values()) {
      if (path === cookie.path || path.startsWith(`${cookie.path}/`)) cookies[cookie.name] = cookie.value;
    }
    for (const part of (request.headers.get('cookie') ?? '').split(';')) {
      const at = part.indexOf('=');
      if (at > 0) cookies[part.slice(0, at).trim()] = part.slice(at + 1).trim();
    }
    return cookies;
  };

  return async (request: Request, origin: string): Promise<Response | undefined> => {
    const url = new URL(request.url);
    if (url.origin !== origin) return undefined;
    const path = url.pathname;
    const record = (route: string, status: number) =>
      log.push({ route, method: request.method, path, status });
    const candidates = routes.filter((r) => r.pattern.test(path));
    const match = candidates.find((r) => r.route.method === request.method);
    try {
      if (!match) {
        if (candidates.length > 0) {
          const allow = [...new Set(candidates.map((r) => r.route.method))].join(', ');
          throw new AppError('method_not_allowed', `${request.method} is not allowed here`, {
            headers: { allow },
          });
        }
        throw new AppError('not_found', `Route ${request.method}:${path} not found`);
      }
      const meta = getRouteMetadata(match.route);
      const bodyText =
        request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
      const rawBody = bodyText === undefined ? undefined : await readBody(request, match.route, bodyText);
      const { caller, platform } = await authenticate(meta, request);
      const groups = match.pattern.exec(path)!;
      const rawParams = Object.fromEntries(
        match.params.map((name, i) => [name, decodePathSegment(groups[i + 1]!)]),
      );
      const rawQuery = Object.fromEntries(url.searchParams);
      const envelope = checkRequestValue(rawQuery, 'query') ?? checkRequestValue(rawParams, 'params');
      if (envelope)
        throw new AppError('validation_failed', 'The request is not valid', { errors: [envelope] });
      if (rawBody !== undefined && !routeTakesBody(match.route))
        throw new AppError('bad_request', `${request.method} ${path} takes no request body`);
      const rawHeaders = Object.fromEntries(request.headers);
      // A browser always sends Origin with a POST; Node's fetch does not (cookie mode's CSRF check reads it).
      rawHeaders.origin ??= options.pageOrigin;
      const input = validate(match.route, {
        params: rawParams,
        query: rawQuery,
        headers: rawHeaders,
        body: rawBody,
      });
      // The user agent as sent; no client address (requests come from the test itself).
      const client = { ip: null, userAgent: request.headers.get('user-agent') };
      const answered = (status: number) =>
        recordImpersonatedRequest(
          store.db,
          caller,
          { method: request.method, route: match!.route.path, status },
          client,
        );
      let result: Awaited<ReturnType<typeof match.handler>>;
      try {
        result = await match.handler(input as never, {
          caller,
          platform,
          client,
          cookies: cookiesFor(request, path),
          // The exact bytes, for handlers that check a signature over them (KYC webhooks).
          ...(bodyText ? { rawBody: new TextEncoder().encode(bodyText) } : {}),
        });
      } catch (error) {
        // Every request made with an impersonation token is audited, refused ones too (#14).
        await answered(error instanceof AppError ? errorStatus[error.code] : 500);
        throw error;
      }
      await answered(result.status);
      // Cookie mode: the core moves a token answer's refresh token into the cookie, as on the server.
      result = inRefreshCookieMode(rawHeaders, result, options.refreshCookieMaxAge);
      const cookies = result.cookies ?? [];
      keep(cookies);
      if (options.validateResponses) checkResponse(match.route, match.key, result.status, result.body);
      record(match.key, result.status);
      const declared = (match.route.responses as Record<number, unknown>)[result.status];
      if (isAppRouteOtherResponse(declared as never) && typeof result.body === 'string') {
        // A text answer of its own media type (the audit export's NDJSON), sent as it is.
        const { contentType } = declared as { contentType: string };
        if (!/^application\/(problem\+)?json\b/.test(contentType)) {
          return new Response(result.body, {
            status: result.status,
            headers: {
              'content-type': contentType,
              'cache-control': 'no-store',
              'x-content-type-options': 'nosniff',
              ...result.headers,
            },
          });
        }
      }
      return send(
        result.status,
        result.status === 204 ? undefined : result.body,
        result.headers,
        'application/json',
        cookies,
      );
    } catch (error) {
      const known = error instanceof AppError;
      const body = known
        ? { ...problem(error.code, error.message, path, error.errors), ...(error.extensions ?? {}) }
        : problem('internal_error', error instanceof Error ? error.message : String(error), path);
      record(match?.key ?? 'unknown', body.status);
      return send(body.status, body, known ? (error.headers ?? {}) : {}, problemContentType);
    }
  };
}
