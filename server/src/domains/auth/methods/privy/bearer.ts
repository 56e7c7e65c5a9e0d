import type { AccessTokenClaims } from '@enforcer/contract';
import { tenantCodeSchema } from '@enforcer/contract';
import type { PrivyTokenVerifier, Repositories } from '@enforcer/core';
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
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../../../config.js';
import { type ITenant, Tenant, tenantRecordOf } from '../../../../entities/tenants.js';
import type { PrincipalCache } from '../../../../http/principal-cache.js';
import type { Clock } from '../../../../lib/clock.js';
import { addSeconds } from '../../../../lib/clock.js';
import { deriveKey, hmacSha256 } from '../../../../lib/crypto.js';
import { AppError, refusalError } from '../../../../lib/errors.js';

export { isPrivyToken, PRIVY_AMR, TENANT_HEADER } from '@enforcer/core';

const invalid = (detail: string) => new AppError('provider_token_invalid', detail);

/** What the bearer check uses of the app's services. */
interface BearerServices {
  clock: Clock;
  config: Pick<Config, 'masterKey' | 'tokens'>;
  principalCache: PrincipalCache;
  privy: PrivyTokenVerifier;
  uow: { within(em: EntityManager): Repositories };
}
/**
 * A Privy access token in place of a user JWT (`Authorization: Bearer <privy token>`):
 *
 * 1. The tenant: the one named by `X-Enforcer-Tenant: <tenant code>`, or else the one tenant whose Privy
 *    app id is the token's audience (none: 401; several: 400, name one with the header).
 * 2. The tenant must accept `privy` and the token must verify with its Privy settings (the core's
 *    `checkPrivyBearer`).
 * 3. The Privy user (DID) must be linked to a person with an active account in the tenant (the core's
 *    `privyBearerAccount`).
 * 4. Each Privy session (tenant, DID, Privy `sid`) maps to one Enforcer session, created on first use with
 *    `amr: ['privy']` and a deterministic id (an HMAC under the master key), so the rest of the request is
 *    exactly that of a user JWT: the session must be live (a logout ends it for every later token of the
 *    same Privy session), the account as it is now decides.
 *
 * Returns claims shaped like ours (`iss: privy.io`) for the authenticate hook to finish with.
 */
export async function privyBearerClaims(
  services: BearerServices,
  em: EntityManager,
  token: string,
  request: FastifyRequest,
): Promise<AccessTokenClaims> {
  const tenant = await bearerTenant(em, token, request.headers[TENANT_HEADER]);
  const check = await checkPrivyBearer(services, tenantRecordOf(tenant), token);
  if (!check.ok) throw refusalError(check);
  const { did, sid } = check.value;

  const sessionId = privySessionId(services, tenant.id, did, sid);
  let row = services.principalCache.get(sessionId);
  if (!row) {
    const found = await em.execute(
      'select "account_id", "person_id", "tenant_id" from "session" where "id" = ?',
      [sessionId],
      'get',
    );
    if (found) {
      row = found as never;
    } else {
      const found = await privyBearerAccount(services.uow.within(em), tenant.id, did);
      if (!found.ok) throw refusalError(found);
      const account = found.value;
      const now = services.clock.now();
      const ip = request.ip ?? null;
      const userAgent =
        typeof request.headers['user-agent'] === 'string'
          ? request.headers['user-agent'].slice(0, 512)
          : null;
      await em.execute(
        `insert into "session" ("id", "account_id", "tenant_id", "person_id", "amr", "ip", "user_agent",
                                "created_at", "last_used_at", "absolute_expires_at")
         values (?, ?, ?, ?, ?::text[], ?, ?, ?, ?, ?) on conflict ("id") do nothing`,
        [
          sessionId,
          account.id,
          tenant.id,
          account.personId,
          `{${PRIVY_AMR.join(',')}}`,
          ip,
          userAgent,
          now,
          now,
          addSeconds(now, services.config.tokens.refreshAbsoluteTtlSeconds),
        ],
      );
      row = { account_id: account.id, person_id: account.personId, tenant_id: tenant.id } as never;
    }
  }
  const current = row as unknown as { account_id: string; person_id: string; tenant_id: string };
  return privyBearerAccessClaims(check.value, {
    id: sessionId,
    accountId: current.account_id,
    personId: current.person_id,
    tenantId: current.tenant_id,
  });
}

async function bearerTenant(em: EntityManager, token: string, header: unknown): Promise<ITenant> {
  if (typeof header === 'string' && header !== '') {
    const code = tenantCodeSchema.safeParse(header);
    const tenant = code.success ? await em.findOne(Tenant, { code: code.data }) : null;
    if (!tenant) throw invalid(`${TENANT_HEADER} names no tenant`);
    return tenant;
  }
  const appId = privyBearerAppId(token);
  if (!appId.ok) throw new AppError(appId.code, appId.detail);
  const rows: Array<{ id: string }> = await em.execute(
    `select "id" from "tenant" where "auth_settings" -> 'privy' ->> 'app_id' = ? limit 2`,
    [appId.value],
  );
  const one = onePrivyTenant(rows);
  if (!one.ok) throw new AppError(one.code, one.detail);
  return em.findOneOrFail(Tenant, one.value.id);
}

/** A uuid (version 8 layout) from an HMAC of the Privy session, under a key derived from the master key. */
function privySessionId(
  services: Pick<BearerServices, 'config'>,
  tenantId: string,
  did: string,
  sid: string,
): string {
  return uuidFromBytes(
    hmacSha256(deriveKey(services.config.masterKey, 'privy-session'), privySessionText(tenantId, did, sid)),
  );
}
