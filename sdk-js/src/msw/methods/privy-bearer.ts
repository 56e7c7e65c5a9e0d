import { tenantCodeSchema } from '@enforcer/contract';
import {
  checkPrivyBearer,
  onePrivyTenant,
  PRIVY_AMR,
  privyBearerAccessClaims,
  privyBearerAccount,
  privyBearerAppId,
  privySessionText,
  TENANT_HEADER,
  uuidFromBytes,
} from '@enforcer/core';
import type { AccessTokenClaims } from '../../session/claims';
import { MockError, refusalError } from '../problem';
import type { MockStore, SessionRow, TenantRow } from '../store';
import type { MockTokens } from '../tokens';
import { mockPrivyVerifier } from './privy';

export { isPrivyToken, TENANT_HEADER } from '@enforcer/core';

const invalid = (detail: string) => new MockError('provider_token_invalid', detail);

/**
 * The server's `privyBearerClaims` (server/src/domains/auth/methods/privy/bearer.ts): a Privy
 * access token in place of a user JWT. The tenant is the one named by `X-Enforcer-Tenant`, or else
 * the one tenant whose Privy app id is the token's audience; the token must verify with its settings
 * and the DID must have an active account there (the core's `checkPrivyBearer`, `privyBearerAccount`). Each Privy session (tenant, DID, `sid`) is one session of the
 * mock, made on first use with `amr: ['privy']` and a deterministic id.
 */
export async function privyBearerClaims(
  store: MockStore,
  tokens: MockTokens,
  token: string,
  request: Request,
): Promise<AccessTokenClaims> {
  const tenant = bearerTenant(store, token, request.headers.get(TENANT_HEADER));
  const privy = mockPrivyVerifier(store, tokens.settings.clockTolerance);
  const check = await checkPrivyBearer({ privy }, tenant, token);
  if (!check.ok) throw refusalError(check);
  const { did, sid } = check.value;

  const sessionId = await privySessionId(tenant.id, did, sid);
  let session = store.sessions.get(sessionId);
  if (!session) {
    const found = await store.db.read((repos) => privyBearerAccount(repos, tenant.id, did));
    if (!found.ok) throw refusalError(found);
    const account = found.value;
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
  return privyBearerAccessClaims(check.value, {
    id: sessionId,
    accountId: session.accountId,
    personId: session.personId,
    tenantId: session.tenantId,
  });
}

function bearerTenant(store: MockStore, token: string, header: string | null): TenantRow {
  if (header !== null && header !== '') {
    const code = tenantCodeSchema.safeParse(header);
    const tenant = code.success ? store.tenantByCode(code.data) : undefined;
    if (!tenant) throw invalid(`${TENANT_HEADER} names no tenant`);
    return tenant;
  }
  const appId = privyBearerAppId(token);
  if (!appId.ok) throw new MockError(appId.code, appId.detail);
  // As the server's query: the raw settings (`auth_settings -> 'privy' ->> 'app_id'`), at most two.
  const matches = [...store.tenants.values()].filter((t) => {
    const privy = t.authSettings.privy as { app_id?: unknown } | null | undefined;
    return privy?.app_id === appId.value;
  });
  const one = onePrivyTenant(matches.slice(0, 2));
  if (!one.ok) throw new MockError(one.code, one.detail);
  return one.value;
}

/** A uuid (version 8 layout) from a hash of the Privy session (the server uses an HMAC under its master key). */
async function privySessionId(tenantId: string, did: string, sid: string): Promise<string> {
  const text = privySessionText(tenantId, did, sid);
  return uuidFromBytes(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}
