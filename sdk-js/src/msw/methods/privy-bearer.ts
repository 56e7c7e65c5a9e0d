import { tenantCodeSchema } from '@enforcer/contract';
import { decodeJwt } from 'jose';
import type { AccessTokenClaims } from '../../session/claims';
import { MockError } from '../problem';
import type { AccountRow, MockStore, SessionRow, TenantRow } from '../store';
import type { MockTokens } from '../tokens';
import { checkPrivyToken, PRIVY_ISSUER } from './privy';
import { authSettingsOf } from './settings';

/** The header naming the tenant a Privy bearer token is for (its code), when the app id is not enough. */
export const TENANT_HEADER = 'x-enforcer-tenant';

const PRIVY_AMR = ['privy'];

/** Is this bearer a Privy access token (`iss: privy.io`)? Decoded without verification: routing only. */
export function isPrivyToken(token: string): boolean {
  if (token.length > 8192 || token.split('.').length !== 3) return false;
  try {
    return decodeJwt(token).iss === PRIVY_ISSUER;
  } catch {
    return false;
  }
}

const invalid = (detail: string) => new MockError('provider_token_invalid', detail);

/**
 * The server's `privyBearerClaims` (server/src/domains/auth/strategies/privy/bearer.ts): a Privy
 * access token in place of a user JWT. The tenant is the one named by `X-Enforcer-Tenant`, or else
 * the one tenant whose Privy app id is the token's audience; the token must verify with its settings;
 * the DID must have an account there. Each Privy session (tenant, DID, `sid`) is one session of the
 * mock, made on first use with `amr: ['privy']` and a deterministic id.
 */
export async function privyBearerClaims(
  store: MockStore,
  tokens: MockTokens,
  token: string,
  request: Request,
): Promise<AccessTokenClaims> {
  const unverified = decodeJwt(token);
  const tenant = bearerTenant(store, unverified.aud, request.headers.get(TENANT_HEADER));
  if (!tenant.authProviders.includes('privy')) {
    throw new MockError('provider_not_allowed', 'This tenant does not accept Privy sign-in');
  }
  const settings = authSettingsOf(store, tenant.id).privy;
  if (!settings) throw new MockError('provider_not_configured', 'This tenant has not configured Privy');
  const check = await checkPrivyToken(store, token, settings, tokens.settings.clockTolerance);
  if (!check.ok) throw check.error;
  const { did, sid, iat, exp } = check.claims;

  const sessionId = await privySessionId(tenant.id, did, sid);
  let session = store.sessions.get(sessionId);
  if (!session) {
    const account = activeAccount(store, tenant.id, did);
    const now = new Date(store.now());
    const row: SessionRow = {
      id: sessionId,
      accountId: account.id,
      personId: account.personId,
      tenantId: tenant.id,
      amr: [...PRIVY_AMR],
      mfaAt: null,
      ip: null,
      userAgent: null,
      createdAt: now,
      lastUsedAt: now,
      absoluteExpiresAt: new Date(now.getTime() + tokens.settings.refreshAbsoluteTtl * 1000),
      revokedAt: null,
      revokeReason: null,
    };
    // Another request of the same Privy session may have made it while we awaited the hash.
    session = store.sessions.get(sessionId) ?? row;
    store.sessions.set(sessionId, session);
  }
  return {
    iss: PRIVY_ISSUER,
    aud: check.claims.appId,
    sub: session.accountId,
    person_id: session.personId,
    tenant_id: session.tenantId,
    sid: sessionId,
    roles: [],
    groups: [],
    amr: [...PRIVY_AMR],
    grant_version: 0,
    iat,
    exp,
    jti: sid || sessionId,
  };
}

function bearerTenant(store: MockStore, aud: unknown, header: string | null): TenantRow {
  if (header !== null && header !== '') {
    const code = tenantCodeSchema.safeParse(header);
    const tenant = code.success ? store.tenantByCode(code.data) : undefined;
    if (!tenant) throw invalid(`${TENANT_HEADER} names no tenant`);
    return tenant;
  }
  const appId = Array.isArray(aud) ? aud[0] : aud;
  if (typeof appId !== 'string' || appId === '' || appId.length > 128)
    throw invalid('The token has no Privy app id');
  // As the server's query: the raw settings (`auth_settings -> 'privy' ->> 'app_id'`), at most two.
  const matches = [...store.tenants.values()].filter((t) => {
    const privy = store.authSettings.get(t.id)?.privy as { app_id?: unknown } | null | undefined;
    return privy?.app_id === appId;
  });
  if (matches.length === 0) throw invalid('No tenant uses this Privy app');
  if (matches.length > 1) {
    throw new MockError(
      'bad_request',
      `Several tenants use this Privy app: name the tenant with the ${TENANT_HEADER} header (its code)`,
    );
  }
  return matches[0]!;
}

function activeAccount(store: MockStore, tenantId: string, did: string): AccountRow {
  const identity = [...store.identities.values()].find((i) => i.provider === 'privy' && i.subject === did);
  const account = identity
    ? [...store.accounts.values()].find((a) => a.personId === identity.personId && a.tenantId === tenantId)
    : undefined;
  if (!account) {
    throw new MockError(
      'not_a_member',
      'This Privy user has no account in this tenant: sign in with POST /auth/login (provider privy) first',
    );
  }
  if (!account.active) throw new MockError('account_inactive', 'This account has been deactivated');
  return account;
}

/** A uuid (version 8 layout) from a hash of the Privy session (the server uses an HMAC under its master key). */
async function privySessionId(tenantId: string, did: string, sid: string): Promise<string> {
  const text = ['privy-session/v1', tenantId, did, sid].join('\n');
  const mac = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).subarray(
    0,
    16,
  );
  mac[6] = (mac[6]! & 0x0f) | 0x80;
  mac[8] = (mac[8]! & 0x3f) | 0x80;
  const hex = [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
