import { getRouteMetadata, type RouteMetadata } from '@enforcer/contract';
import {
  type ApiKeyCaller,
  apiKeyAuthenticates,
  apiKeyUseWorthRecording,
  assertSessionLive,
  assertTenantActive,
  authenticateClientToken,
  authenticatePlatformRoute,
  authenticateRoute,
  type Caller,
  type CredentialVerifiers,
  hashApiKey,
  invalidApiKey,
  isPrivyToken,
  looksLikeApiKey,
  privyBearerClaims,
  readCredential,
  requireRoutePermission,
  subjectOfCaller,
  TENANT_HEADER,
  type UserCaller,
  userSubjectAttributes,
  verifyPlatformKey,
  webCryptoHashing,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKey, type IApiKey } from '../entities/api-keys.js';
import { type LazyEm, lazyEm } from '../http/lazy-em.js';
import '../http/caller.js';
import type { CachedPrincipal } from '../http/principal-cache.js';
import type { Services } from '../services.js';

/** The route's metadata (set by @ts-rest/fastify on every contract route). */
export function routeMetadata(request: FastifyRequest): RouteMetadata | undefined {
  const route = (request.routeOptions.config as { tsRestRoute?: { metadata?: unknown } } | undefined)
    ?.tsRestRoute;
  if (!route) return undefined;
  // Checked once per route, not on every request.
  let meta = metadataByRoute.get(route);
  if (!meta) {
    meta = getRouteMetadata(route);
    metadataByRoute.set(route, meta);
  }
  return meta;
}

const metadataByRoute = new WeakMap<object, RouteMetadata>();

/**
 * The preHandler of every contract route: the core's authentication rules (which credential, which kinds
 * the route takes, verified before refused), this server's verifiers, then the route's permission.
 */
export function authenticate(services: Services) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.caller = undefined;
    request.platformCaller = undefined;
    const meta = routeMetadata(request);
    if (!meta) return;
    // OAuth endpoints read their client's credentials themselves (HTTP Basic, form, API key).
    if (meta.clientAuthentication) return;
    const apiKey = request.headers['x-api-key'];
    const credential = readCredential({
      apiKey: typeof apiKey === 'string' ? apiKey : undefined,
      authorization: request.headers.authorization,
    });
    const em = lazyEm(services);
    // A token verified before is an account's token of ours: neither an application's nor a Privy token,
    // so neither is looked for (each decodes the token's payload again).
    const known = credential?.kind === 'jwt' && services.accessTokens.verifiedBefore(credential.token);
    const verifiers = new RequestVerifiers(services, request, em, known);
    if (meta.auth === 'platform') {
      // The operator's routes: a platform key with the route's scope, nothing of a tenant's.
      request.platformCaller = await authenticatePlatformRoute<Caller>(meta, credential, verifiers);
      return;
    }
    request.caller = await authenticateRoute<Caller>(meta, credential, verifiers);
    if (meta.permission && request.caller) {
      const policy = await services.policies.forCaller(em, request.caller);
      requireRoutePermission(policy.compiled, subjectOfCaller(request.caller), meta.permission);
    }
  };
}

/**
 * The credential verifiers of one request (`CredentialVerifiers`, called as methods): a class, so a request
 * allocates one object rather than a closure per kind of credential.
 */
class RequestVerifiers implements CredentialVerifiers<Caller> {
  readonly #services: Services;
  readonly #request: FastifyRequest;
  readonly #em: LazyEm;
  readonly #known: boolean;
  /**
   * An application's token (#18), on the decision routes only (`clientToken`): the core's rules. Absent for
   * a token `verify` accepted before as an account's (the core then does not decode it to look).
   */
  readonly client: ((token: string) => Promise<Caller>) | undefined;

  constructor(services: Services, request: FastifyRequest, em: LazyEm, known: boolean) {
    this.#services = services;
    this.#request = request;
    this.#em = em;
    this.#known = known;
    this.client = known ? undefined : clientVerifier(services);
  }

  user(token: string): Promise<UserCaller> {
    return verifyUser(this.#services, this.#em, token, this.#request, this.#known);
  }

  apiKey(key: string): Promise<ApiKeyCaller> {
    return verifyApiKey(this.#services, this.#em(), key);
  }

  platform(key: string) {
    return verifyPlatformKey(webCryptoHashing, this.#services.config.platformKeys, key);
  }
}

/** An application's token, verified by the core's rules (made once per server). */
const clientVerifiers = new WeakMap<Services, (token: string) => Promise<Caller>>();
function clientVerifier(services: Services): (token: string) => Promise<Caller> {
  let verify = clientVerifiers.get(services);
  if (!verify) {
    verify = (token: string) =>
      services.uow.read((repos) =>
        authenticateClientToken(repos, { access: services.accessTokens, clock: services.clock }, token),
      );
    clientVerifiers.set(services, verify);
  }
  return verify;
}

/**
 * Everything a request needs to know about a session's account, in one round trip: is the
 * session live, the account's current role, status and groups, and the tenant's policy
 * version (so the compiled policy can be reused without another query).
 */
const PRINCIPAL_SQL = `
  select s.revoked_at, s.account_id, a.person_id, a.tenant_id, a.roles, a.active, a.grant_version,
         t.policy_version, t.status as tenant_status, a.public_metadata,
         coalesce(array(select g.name from group_membership m join tenant_group g on g.id = m.group_id
                        where m.account_id = a.id order by g.name), '{}') as groups,
         s.actor_account_id, x.active as actor_active
    from session s
    join account a on a.id = s.account_id
    join tenant t on t.id = a.tenant_id
    left join account x on x.id = s.actor_account_id
   where s.id = ?`;

type PrincipalRow = CachedPrincipal;

async function verifyUser(
  services: Services,
  em: LazyEm,
  token: string,
  request: FastifyRequest,
  /** `accessTokens.verifiedBefore(token)`: ours, so not a Privy token. */
  known: boolean,
): Promise<UserCaller> {
  // A Privy access token is accepted in place of ours: it maps to an Enforcer session (the core's rules).
  const claims =
    !known && isPrivyToken(token)
      ? await privyBearerClaims(
          services.uow.within(em()),
          services.privyBearer,
          {
            token,
            tenantHeader: headerText(request.headers[TENANT_HEADER]),
            client: { ip: request.ip ?? null, userAgent: headerText(request.headers['user-agent']) ?? null },
          },
          (sessionId) => {
            const row = services.principalCache.get(sessionId);
            return (
              row && {
                id: sessionId,
                accountId: row.account_id,
                personId: row.person_id,
                tenantId: row.tenant_id,
              }
            );
          },
        )
      : await services.accessTokens.verify(token);
  // A short-lived token is not enough on the server: a logout or a revoked session ends it now.
  const row = await services.principalCache.load(
    claims.sid,
    async () => (await em().execute(PRINCIPAL_SQL, [claims.sid], 'get')) as PrincipalRow | undefined,
  );
  const state = row && {
    revoked: row.revoked_at !== null,
    accountId: row.account_id,
    tenantId: row.tenant_id,
    accountActive: row.active,
    actorAccountId: row.actor_account_id,
    actorActive: row.actor_active,
  };
  assertSessionLive(claims, state);
  const live = row as PrincipalRow; // assertSessionLive refused a missing one
  // A suspended tenant's tokens stop working at once (the tenant's status change empties the cache).
  assertTenantActive({ status: live.tenant_status ?? 'active' });
  // The account as it is now decides (its role, groups and public metadata), with the session's MFA recency.
  const caller: UserCaller = {
    kind: 'user',
    tenantId: live.tenant_id,
    accountId: live.account_id,
    personId: live.person_id,
    sessionId: claims.sid,
    roles: [...live.roles],
    groups: live.groups,
    attributes: {},
    amr: [...claims.amr],
    policyVersion: live.policy_version,
    ...(live.actor_account_id ? { actorAccountId: live.actor_account_id } : {}),
  };
  // The compiled policy of this version is cached: usually no query.
  const policy = await services.policies.forCaller(em, caller);
  caller.attributes = userSubjectAttributes(
    policy.effective,
    live.public_metadata ?? {},
    claims,
    services.clock.now().getTime(),
  );
  return caller;
}

const headerText = (value: string | string[] | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

async function verifyApiKey(services: Services, em: EntityManager, key: string): Promise<ApiKeyCaller> {
  // The core's rules (server/core/src/api-keys/secret.ts); this lookup also reads the tenant's policy version.
  if (!looksLikeApiKey(key)) throw invalidApiKey();
  const hash = await hashApiKey(webCryptoHashing, key);
  const row: IApiKey | null = await em.findOne(ApiKey, { keyHash: hash }, { populate: ['tenant'] });
  const now = services.clock.now();
  if (!apiKeyAuthenticates(row, hash, now)) throw invalidApiKey();
  assertTenantActive(row.tenant);
  if (apiKeyUseWorthRecording(row.lastUsedAt, now)) {
    row.lastUsedAt = now;
    await em.flush();
  }
  return {
    kind: 'api_key',
    apiKeyId: row.id,
    tenantId: row.tenant.id,
    role: row.role,
    createdBy: row.createdBy ?? null,
    policyVersion: row.tenant.policyVersion,
  };
}
