import type { Action } from '@enforcer/contract/policy';
import type { Verifier } from './create-verifier';
import { isVerifierError, type VerifierErrorCode } from './errors';
import type { Principal } from './principal';

/**
 * The cookie the browser SDK mirrors the access token into (`accessTokenCookie` of `createEnforcer`), so
 * page navigations, which carry no `Authorization` header, reach a server render with it.
 */
export const ACCESS_TOKEN_COOKIE = 'enforcer-access-token';

/**
 * A request as the frameworks hand it over: a Fetch `Request` (Next.js, Remix, Hono, workers), its
 * `Headers`, or a Node request (`IncomingMessage`, Express, Fastify) with a plain header object.
 */
export type RequestLike =
  | { headers: Headers | { get(name: string): string | null } }
  | { headers: Record<string, string | string[] | undefined> }
  | Headers;

export interface RequestTokenOptions {
  /** The cookie to read when there is no bearer header. Default `enforcer-access-token`. */
  cookieName?: string;
}

function headerOf(request: RequestLike, name: string): string | undefined {
  const headers = 'headers' in request && !(request instanceof Headers) ? request.headers : request;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      const value = part.slice(at + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

/** The access token of a request: `Authorization: Bearer …` first, else the mirrored cookie. */
export function accessTokenFromRequest(
  request: RequestLike,
  options: RequestTokenOptions = {},
): string | null {
  const authorization = headerOf(request, 'authorization');
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (bearer) return bearer;
  return cookieOf(headerOf(request, 'cookie'), options.cookieName ?? ACCESS_TOKEN_COOKIE) || null;
}

/** Failures that say nothing about the caller: the verifier cannot decide yet, so they are thrown. */
const NOT_THE_CALLERS: ReadonlySet<VerifierErrorCode> = new Set(['keys_unavailable', 'policy_unavailable']);

/**
 * Who sent this request, verified offline (signature, issuer, audience, expiry, revocations), or null when
 * it carries no access token or one that does not stand (expired, revoked, forged: the visitor is treated
 * as signed out, and the browser SDK refreshes on its own). Throws `VerifierError` only when the verifier
 * itself cannot decide (`keys_unavailable`, `policy_unavailable`).
 */
export async function principalFromRequest(
  verifier: Verifier,
  request: RequestLike,
  options: RequestTokenOptions = {},
): Promise<Principal | null> {
  const token = accessTokenFromRequest(request, options);
  if (!token) return null;
  try {
    return await verifier.verify(token);
  } catch (error) {
    if (isVerifierError(error) && !NOT_THE_CALLERS.has(error.code)) return null;
    throw error;
  }
}

/**
 * What a server render hands the browser (`<EnforcerProvider initialSession>`): plain JSON, no token. The
 * decisions are the verifier's, without a resource, for the actions the page asked about.
 */
export type ServerSession =
  | {
      status: 'signed_in';
      accountId: string;
      personId: string;
      tenantId: string;
      sessionId: string;
      roles: string[];
      groups: string[];
      amr: string[];
      actor: string | null;
      /** When the access token expires (epoch ms). */
      expiresAt: number;
      /** `action → allowed`, decided by the verifier for the actions given to `sessionFromRequest`. */
      decisions: Record<string, boolean>;
    }
  | { status: 'signed_out' };

/**
 * `principalFromRequest` as a serializable session for the page: signed out, or the principal with the
 * verifier's decisions for `actions` (what `useCan(action)` answers before the browser has its own).
 */
export async function sessionFromRequest(
  verifier: Verifier,
  request: RequestLike,
  options: RequestTokenOptions & { actions?: readonly Action[] } = {},
): Promise<ServerSession> {
  const principal = await principalFromRequest(verifier, request, options);
  if (!principal) return { status: 'signed_out' };
  const decisions: Record<string, boolean> = {};
  for (const action of options.actions ?? []) decisions[action] = verifier.can(principal, action);
  return {
    status: 'signed_in',
    accountId: principal.accountId,
    personId: principal.personId,
    tenantId: principal.tenantId,
    sessionId: principal.sessionId,
    roles: [...principal.roles],
    groups: [...principal.groups],
    amr: [...principal.amr],
    actor: principal.actor,
    expiresAt: principal.expiresAt * 1000,
    decisions,
  };
}
