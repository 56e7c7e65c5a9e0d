import { contract, REFRESH_COOKIE_HEADER, REFRESH_COOKIE_NAME } from '@enforcer/contract';
import { AppError } from '../errors.js';
import type { UnitOfWork } from '../store.js';

/**
 * The refresh-token cookie mode (#18), written once for the server and the mock. A browser client opts in by
 * sending `Enforcer-Refresh-Cookie: 1`: every token answer then carries the refresh token in an HttpOnly
 * cookie instead of the JSON body, so page scripts (an XSS) never see it. The same header is the CSRF
 * guard of the cookie-authenticated calls (`POST /auth/refresh`, `POST /auth/logout`): a page on another
 * origin can only send it after a CORS preflight that Enforcer answered, and `Origin` must also be one the
 * session's own tenant (or the deployment) allows.
 */
export { REFRESH_COOKIE_HEADER, REFRESH_COOKIE_NAME };

/*
 * The name is `__Secure-…`, not `__Host-…`: `__Host-` demands `Path=/`, which would send the refresh token
 * with every request to the host (the app's own routes too, behind a shared reverse proxy). `__Secure-`
 * still makes browsers refuse the cookie unless it is `Secure` and set over HTTPS (or localhost); without
 * `Domain` it stays host-only.
 */

/**
 * The cookie is set once per path, each scoped to exactly one route: the refresh and the logout route are
 * the only ones that read it, so no other request (not even Enforcer's other routes) carries it.
 */
export const REFRESH_COOKIE_PATHS: readonly string[] = [
  contract.auth.refresh.path,
  contract.auth.logout.path,
];

/** What a transport sets on the answer: one cookie (`value: ''` and `maxAge: 0` clear it). */
export interface CookieInstruction {
  name: string;
  value: string;
  path: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  httpOnly: true;
  secure: true;
  sameSite: 'strict';
}

export interface RefreshCookieDeps {
  uow: UnitOfWork;
  /** How long the cookie lives: the session's absolute lifetime (refresh tokens never outlive it). */
  maxAgeSeconds: number;
  /** Origins allowed for every tenant (`ENFORCER_CORS_ORIGINS`), besides each tenant's `allowed_origins`. */
  trustedOrigins: readonly string[];
}

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The request's headers, lower-cased, as both transports hand every handler them (a route whose contract
 * declares no headers has none in its type).
 */
export function headersOf(request: object): HeaderBag {
  return (request as { headers?: HeaderBag }).headers ?? {};
}

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Did the client ask for the cookie mode (and send the CSRF header)? */
export function wantsRefreshCookie(headers: HeaderBag): boolean {
  return header(headers, REFRESH_COOKIE_HEADER) === '1';
}

/** The refresh cookie set on every path (`null`: cleared). */
export function refreshCookies(token: string | null, maxAgeSeconds: number): CookieInstruction[] {
  return REFRESH_COOKIE_PATHS.map((path) => ({
    name: REFRESH_COOKIE_NAME,
    value: token ?? '',
    path,
    maxAge: token === null ? 0 : maxAgeSeconds,
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
  }));
}

/** The refresh token the browser sent in the cookie, if any. */
export function refreshTokenFromCookies(
  cookies: Readonly<Record<string, string>> | undefined,
): string | undefined {
  const value = cookies?.[REFRESH_COOKIE_NAME];
  return value ? value : undefined;
}

/**
 * A token answer (`token_type: 'Bearer'` with a `refresh_token`) in the cookie mode, when the client asked
 * for it: the refresh token leaves the body for the cookie. Any other answer is returned as it is. The server
 * and the mock call this on every answer of a core handler, so each sign-in route (login, MFA, magic link,
 * tenant join and switch, invites, refresh) behaves alike without knowing about cookies.
 */
export function inRefreshCookieMode<R extends { status: number; body: unknown }>(
  headers: HeaderBag,
  result: R,
  maxAgeSeconds: number,
): R & { cookies?: CookieInstruction[] } {
  if (!wantsRefreshCookie(headers) || result.status !== 200) return result;
  const body = result.body as { token_type?: unknown; refresh_token?: unknown } | null;
  if (!body || typeof body !== 'object' || body.token_type !== 'Bearer') return result;
  if (typeof body.refresh_token !== 'string') return result;
  const { refresh_token, ...rest } = body;
  return { ...result, body: rest, cookies: refreshCookies(refresh_token, maxAgeSeconds) };
}

/**
 * The CSRF check of a call authenticated by the cookie alone: the custom header (a cross-origin page cannot
 * send it without a preflight Enforcer allowed) and an `Origin` that the session's tenant lists in
 * `allowed_origins` or the deployment trusts. A browser always sends `Origin` on a POST made with `fetch`;
 * none means the call did not come from a page we can vouch for. Refused with `403 csrf_check_failed`.
 */
export async function checkCookieRequest(
  deps: Pick<RefreshCookieDeps, 'uow' | 'trustedOrigins'>,
  headers: HeaderBag,
  tenantId: string | undefined,
): Promise<void> {
  if (!wantsRefreshCookie(headers)) {
    throw new AppError(
      'csrf_check_failed',
      `A call authenticated by the refresh cookie must send the ${REFRESH_COOKIE_HEADER}: 1 header`,
    );
  }
  const origin = header(headers, 'origin');
  if (!origin || origin === 'null') {
    throw new AppError('csrf_check_failed', 'A call authenticated by the refresh cookie must send Origin');
  }
  if (deps.trustedOrigins.includes(origin)) return;
  // An unknown token has no tenant: it is refused as invalid by the refresh itself, with no origin to check.
  if (tenantId === undefined) return;
  const tenant = await deps.uow.read((repos) => repos.tenants.find(tenantId));
  if (tenant?.allowedOrigins.includes(origin)) return;
  throw new AppError('csrf_check_failed', "This origin is not one of the session's tenant's allowed origins");
}
