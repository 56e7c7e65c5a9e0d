import type { AccessTokenClaims, RouteMetadata } from '@enforcer/contract';
import type { CompiledPolicy, Subject } from '@enforcer/contract/policy';
import { API_KEY_PREFIX } from '../api-keys/secret.js';
import { AppError } from '../errors.js';
import { PLATFORM_KEY_PREFIX, type PlatformCaller, requirePlatformScope } from '../operator/keys.js';
import { AccessTokenService } from '../tokens/access-tokens.js';

/**
 * How a request is authenticated, written once for the server's preHandler and the mock's dispatcher:
 * which credential a request carries, which kinds a route takes (its contract metadata), in what order a
 * credential is verified and refused, and the route's permission. How a token or a key is verified
 * (signatures, storage lookups) is the caller's, through `CredentialVerifiers`.
 */

export type Credential =
  | { kind: 'jwt'; token: string }
  | { kind: 'api_key'; key: string }
  | { kind: 'platform'; key: string };

const keyCredential = (key: string): Credential =>
  key.startsWith(PLATFORM_KEY_PREFIX) ? { kind: 'platform', key } : { kind: 'api_key', key };

/**
 * The credential of a request: `X-API-Key`, else `Authorization: Bearer <value>` (an API key when it has
 * the prefix, so it is told from an access token without a lookup). A platform key (`enfp_`) travels the same
 * ways and is told from a tenant's key by its prefix. An `Authorization` header of another form is `401 unauthenticated`.
 */
export function readCredential(headers: {
  apiKey: string | null | undefined;
  authorization: string | null | undefined;
}): Credential | undefined {
  if (typeof headers.apiKey === 'string' && headers.apiKey !== '') {
    return keyCredential(headers.apiKey.trim());
  }
  const { authorization } = headers;
  if (typeof authorization !== 'string' || authorization === '') return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new AppError('unauthenticated', 'Authorization must be "Bearer <token>"');
  const value = match[1]!;
  return value.startsWith(API_KEY_PREFIX) || value.startsWith(PLATFORM_KEY_PREFIX)
    ? keyCredential(value)
    : { kind: 'jwt', token: value };
}

export interface CredentialVerifiers<P> {
  /** Verifies an access token (or an accepted third-party one) and its session: the user principal. */
  user(token: string): Promise<P>;
  /** Verifies an API key: the key's principal, or `401 invalid_credentials`. */
  apiKey(key: string): Promise<P>;
  /** Verifies an application's access token (#18), on routes that take one (`clientToken`). */
  client?(token: string): Promise<P>;
  /** Verifies a platform key (`401 invalid_credentials` when it is none of the configured ones). */
  platform(key: string): Promise<PlatformCaller>;
}

/**
 * The principal a route runs for, or undefined on a public route. A credential is always verified before
 * it is refused for its kind, so a wrong key is a 401 whatever the route and a right key on a user route
 * a 403 `credential_not_allowed`. A public route with `optionalUser` reads a user token when one is sent.
 */
export async function authenticateRoute<P>(
  meta: RouteMetadata,
  credential: Credential | undefined,
  verify: CredentialVerifiers<P>,
): Promise<P | undefined> {
  if (meta.auth === 'none') {
    return meta.optionalUser && credential?.kind === 'jwt' ? verify.user(credential.token) : undefined;
  }
  if (meta.auth === 'platform')
    throw new Error('a platform route is authenticated by authenticatePlatformRoute');
  if (!credential) throw new AppError('unauthenticated', 'This call needs a credential');
  if (credential.kind === 'platform') {
    await verify.platform(credential.key);
    throw new AppError(
      'credential_not_allowed',
      "A platform key only reaches /platform routes, not a tenant's",
    );
  }
  if (credential.kind === 'api_key') {
    const principal = await verify.apiKey(credential.key);
    if (meta.auth === 'user') {
      throw new AppError('credential_not_allowed', 'This call needs a signed-in user, not an API key');
    }
    return principal;
  }
  if (meta.clientToken && verify.client && AccessTokenService.looksLikeClientToken(credential.token)) {
    return verify.client(credential.token);
  }
  const principal = await verify.user(credential.token);
  if (meta.auth === 'api_key') throw new AppError('credential_not_allowed', 'This call needs an API key');
  return principal;
}

/**
 * The operator behind a `/platform/*` route: only a platform key, with the route's scope. A tenant's API key
 * or a user's token is verified first (a bad one is a 401, as anywhere), then refused with
 * `403 credential_not_allowed`: no tenant credential reaches the platform API, whatever its role.
 */
export async function authenticatePlatformRoute<P>(
  meta: RouteMetadata,
  credential: Credential | undefined,
  verify: CredentialVerifiers<P>,
): Promise<PlatformCaller> {
  if (!credential) throw new AppError('unauthenticated', 'This call needs a platform API key');
  if (credential.kind === 'platform') {
    const caller = await verify.platform(credential.key);
    requirePlatformScope(caller, meta.permission);
    return caller;
  }
  if (credential.kind === 'api_key') await verify.apiKey(credential.key);
  else await verify.user(credential.token);
  throw new AppError('credential_not_allowed', 'This call needs a platform API key');
}

/** The route's own permission (metadata `permission`), checked without a record: `403 forbidden`. */
export function requireRoutePermission(
  policy: CompiledPolicy,
  subject: Subject,
  permission: string | undefined,
): void {
  if (!permission || policy.can(subject, permission)) return;
  // The engine's reason, as the Node verifier's middleware gives it: a deny rule is not a missing grant.
  // Its kind only: a rule's id is the tenant's business, not the caller's.
  const { reason } = policy.explain(subject, permission);
  throw new AppError(
    'forbidden',
    reason.kind === 'denied_by_rule'
      ? `"${permission}" is denied by a rule of the tenant's policy`
      : `Missing permission "${permission}"`,
    { extensions: { reason: reason.kind } },
  );
}

/** What the store says of a token's session and account, read when the token is presented. */
export interface SessionState {
  revoked: boolean;
  accountId: string;
  tenantId: string;
  accountActive: boolean;
  /** The account acting in the session (impersonation, #14), and whether it is active; absent otherwise. */
  actorAccountId?: string | null;
  actorActive?: boolean | null;
}

/**
 * A verified access token is not enough: its session must still be live and still belong to the token's
 * account and tenant (a logout or a revocation ends a token now, not when it expires), and the account
 * must be active. An impersonation token (`act`) must name its session's actor, and that actor must
 * still be active; a token without `act` is refused in an impersonation session, and the reverse.
 */
export function assertSessionLive(claims: AccessTokenClaims, session: SessionState | null | undefined): void {
  if (
    !session ||
    session.revoked ||
    session.accountId !== claims.sub ||
    session.tenantId !== claims.tenant_id ||
    (claims.act?.sub ?? null) !== (session.actorAccountId ?? null)
  ) {
    throw new AppError('token_invalid', 'This session has ended');
  }
  if (session.actorAccountId && session.actorActive !== true) {
    throw new AppError('token_invalid', 'The account acting in this session is no longer active');
  }
  if (!session.accountActive) throw new AppError('account_inactive', 'This account has been deactivated');
}
