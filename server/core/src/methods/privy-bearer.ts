import { type AccessTokenClaims, tenantCodeSchema } from '@enforcer/contract';
import { decodeJwt } from 'jose';
import type { AccountRecord } from '../accounts/ports.js';
import { statusRefusal } from '../accounts/status.js';
import type { ClientInfo } from '../caller.js';
import { AppError, refusalError } from '../errors.js';
import { addSeconds, type Clock, webCryptoHashing } from '../platform.js';
import { type Result, refuse } from '../result.js';
import type { Repositories } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import { PRIVY_AMR, PRIVY_ISSUER, type PrivyClaims, type PrivyMethodDeps, TENANT_HEADER } from './privy.js';
import { methodSettings } from './settings.js';

/** What a Privy bearer is checked with. */
export interface PrivyBearerDeps extends PrivyMethodDeps {
  clock: Clock;
  /**
   * The HMAC key that names the Enforcer session of a Privy session (the server derives it from its master
   * key, so the names stay the same across restarts; the mock draws one).
   */
  sessionKey: Uint8Array;
  /** How long such a session lives at most (the refresh tokens' absolute lifetime). */
  absoluteTtlSeconds: number;
}

/** The Enforcer session a Privy session acts in. */
export interface BearerSession {
  id: string;
  accountId: string;
  personId: string;
  tenantId: string;
}

/**
 * A Privy access token in place of a user JWT (`Authorization: Bearer <privy token>`), for the server's
 * authenticate hook and the mock's dispatch alike:
 *
 * 1. The tenant: the one named by `X-Enforcer-Tenant: <tenant code>`, or else the one tenant whose Privy
 *    app id is the token's audience (none: 401; several: 400, name one with the header).
 * 2. The tenant must accept `privy` and the token must verify with its Privy settings (`checkPrivyBearer`).
 * 3. Each Privy session (tenant, DID, Privy `sid`) is one Enforcer session, with a deterministic id (an
 *    HMAC under `sessionKey`), made on first use with `amr: ['privy']` once the DID is found linked to a
 *    person with an active account in the tenant (`privyBearerAccount`). So the rest of the request is that
 *    of a user JWT: the session must be live (a logout ends it for every later token of the same Privy
 *    session) and the account as it is now decides.
 *
 * `known` may answer for a session the caller already holds (the server's principal cache) before the
 * store is asked. Returns claims shaped like ours (`iss: privy.io`) for the caller's session check.
 */
export async function privyBearerClaims(
  repos: Pick<Repositories, 'tenants' | 'sessions' | 'identities' | 'accounts'>,
  deps: PrivyBearerDeps,
  request: { token: string; tenantHeader: string | null | undefined; client: ClientInfo },
  known?: (sessionId: string) => BearerSession | undefined,
): Promise<AccessTokenClaims> {
  const tenant = await bearerTenant(repos, request.token, request.tenantHeader);
  const check = await checkPrivyBearer(deps, tenant, request.token);
  if (!check.ok) throw refusalError(check);
  const { did, sid } = check.value;
  const id = await privySessionId(deps.sessionKey, tenant.id, did, sid);
  const session = known?.(id) ?? (await repos.sessions.findSession(id)) ?? (await firstUse());
  return privyBearerAccessClaims(check.value, session);

  async function firstUse(): Promise<BearerSession> {
    const found = await privyBearerAccount(repos, tenant.id, did);
    if (!found.ok) throw refusalError(found);
    const account = found.value;
    const now = deps.clock.now();
    const session = { id, accountId: account.id, personId: account.personId, tenantId: tenant.id };
    // Another request of the same Privy session may make it at the same time: the first one stays.
    await repos.sessions.insertBearerSession({
      ...session,
      amr: [...PRIVY_AMR],
      mfaAt: null,
      ip: request.client.ip,
      userAgent: request.client.userAgent?.slice(0, 512) ?? null,
      createdAt: now,
      lastUsedAt: now,
      absoluteExpiresAt: addSeconds(now, deps.absoluteTtlSeconds),
      revokedAt: null,
      revokeReason: null,
    });
    return session;
  }
}

async function bearerTenant(
  repos: Pick<Repositories, 'tenants'>,
  token: string,
  header: string | null | undefined,
): Promise<TenantRecord> {
  if (typeof header === 'string' && header !== '') {
    const code = tenantCodeSchema.safeParse(header);
    const tenant = code.success ? await repos.tenants.findByCode(code.data) : null;
    if (!tenant) throw new AppError('provider_token_invalid', `${TENANT_HEADER} names no tenant`);
    return tenant;
  }
  const appId = privyBearerAppId(token);
  if (!appId.ok) throw refusalError(appId);
  const one = onePrivyTenant(await repos.tenants.findByPrivyAppId(appId.value, 2));
  if (!one.ok) throw refusalError(one);
  return one.value;
}

/** A uuid (version 8 layout) from an HMAC of the Privy session under `key`. */
async function privySessionId(key: Uint8Array, tenantId: string, did: string, sid: string): Promise<string> {
  const mac = await webCryptoHashing.hmacSha256(key, privySessionText(tenantId, did, sid));
  return uuidFromBytes(
    Uint8Array.from(atob(mac.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
  );
}

/** Is this bearer a Privy access token (`iss: privy.io`)? Decoded without verification: routing only. */
export function isPrivyToken(token: string): boolean {
  if (token.length > 8192 || token.split('.').length !== 3) return false;
  try {
    return decodeJwt(token).iss === PRIVY_ISSUER;
  } catch {
    return false;
  }
}

/** The Privy app id a bearer token names (its audience, unverified: to find the tenant). */
export function privyBearerAppId(token: string): Result<string> {
  const aud = decodeJwt(token).aud;
  const appId = Array.isArray(aud) ? aud[0] : aud;
  if (typeof appId !== 'string' || appId === '' || appId.length > 128)
    return refuse('provider_token_invalid', 'The token has no Privy app id');
  return { ok: true, value: appId };
}

/** The one tenant among those whose Privy app id is the token's (at most two looked up). */
export function onePrivyTenant<T>(matches: readonly T[]): Result<T> {
  if (matches.length === 0) return refuse('provider_token_invalid', 'No tenant uses this Privy app');
  if (matches.length > 1) {
    return refuse(
      'bad_request',
      `Several tenants use this Privy app: name the tenant with the ${TENANT_HEADER} header (its code)`,
    );
  }
  return { ok: true, value: matches[0]! };
}

/** The input of a Privy session's id: hash or HMAC it, then lay 16 bytes out with `uuidFromBytes`. */
export const privySessionText = (tenantId: string, did: string, sid: string): string =>
  ['privy-session/v1', tenantId, did, sid].join('\n');

/** A uuid (version 8 layout) from the first 16 bytes of a hash. */
export function uuidFromBytes(bytes: Uint8Array): string {
  const mac = Uint8Array.from(bytes.subarray(0, 16));
  mac[6] = (mac[6]! & 0x0f) | 0x80;
  mac[8] = (mac[8]! & 0x3f) | 0x80;
  const hex = [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The claims, shaped like Enforcer's (`iss: privy.io`), of a request authenticated by a Privy bearer. */
export function privyBearerAccessClaims(
  claims: PrivyClaims,
  session: { id: string; accountId: string; personId: string; tenantId: string },
) {
  return {
    iss: PRIVY_ISSUER,
    aud: claims.appId,
    sub: session.accountId,
    person_id: session.personId,
    tenant_id: session.tenantId,
    sid: session.id,
    roles: [] as string[],
    groups: [] as string[],
    amr: [...PRIVY_AMR],
    grant_version: 0,
    iat: claims.iat,
    exp: claims.exp,
    jti: claims.sid || session.id,
  };
}

/**
 * A Privy access token in place of a user JWT (`Authorization: Bearer <privy token>`), once its tenant is
 * known (named by `X-Enforcer-Tenant`, or the one tenant of the token's app id: `onePrivyTenant`): the
 * tenant must accept `privy` and have it configured, and the token must verify with its settings (an
 * expired one is `401 token_expired`).
 */
export async function checkPrivyBearer(
  deps: PrivyMethodDeps,
  tenant: Pick<TenantRecord, 'authProviders' | 'authSettings'>,
  token: string,
): Promise<Result<PrivyClaims>> {
  if (!tenant.authProviders.includes('privy')) {
    return refuse('provider_not_allowed', 'This tenant does not accept Privy sign-in');
  }
  const settings = methodSettings(tenant, 'privy');
  if (!settings.ok) return refuse('provider_not_configured', 'This tenant has not configured Privy');
  const check = await deps.privy.verify(token, settings.value);
  return check.ok ? check : refuse(check.code, check.detail);
}

/**
 * The account a Privy bearer acts as, when its Privy session has no session of ours yet: the DID must be
 * linked to a person (first sign in with `POST /auth/login` `provider: privy`, or link Privy) with an
 * account in the tenant (else `403 not_a_member`), and the account must be active.
 */
export async function privyBearerAccount(
  repos: Pick<Repositories, 'identities' | 'accounts'>,
  tenantId: string,
  did: string,
): Promise<Result<AccountRecord>> {
  const identity = await repos.identities.findBySubject('privy', did);
  const account = identity ? await repos.accounts.findOfPerson(identity.personId, tenantId) : null;
  if (!account) {
    return refuse(
      'not_a_member',
      'This Privy user has no account in this tenant: sign in with POST /auth/login (provider privy) first',
    );
  }
  const refusal = statusRefusal(account);
  if (refusal) return refuse(refusal.code, refusal.message);
  return { ok: true, value: account };
}
