import { getRouteMetadata, type RouteMetadata } from '@enforcer/contract';
import {
  API_KEY_PREFIX,
  apiKeyAuthenticates,
  apiKeyUseWorthRecording,
  hashApiKey,
  invalidApiKey,
  looksLikeApiKey,
  webCryptoHashing,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKey, type IApiKey } from '../domains/api-keys/entities.js';
import { isPrivyToken, privyBearerClaims } from '../domains/auth/methods/privy/bearer.js';
import { mfaSubjectAttributes } from '../domains/auth/mfa/subject-attributes.js';
import { type LazyEm, lazyEm } from '../http/lazy-em.js';
import { type ApiKeyPrincipal, subjectOfPrincipal, type UserPrincipal } from '../http/principal.js';
import type { CachedPrincipal } from '../http/principal-cache.js';
import { AppError } from '../lib/errors.js';
import type { Services } from '../services.js';

type Credential = { kind: 'jwt'; token: string } | { kind: 'api_key'; key: string } | undefined;

function readCredential(request: FastifyRequest): Credential {
  const apiKeyHeader = request.headers['x-api-key'];
  if (typeof apiKeyHeader === 'string' && apiKeyHeader !== '')
    return { kind: 'api_key', key: apiKeyHeader.trim() };
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string' || authorization === '') return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new AppError('unauthenticated', 'Authorization must be "Bearer <token>"');
  const value = match[1]!;
  return value.startsWith(API_KEY_PREFIX) ? { kind: 'api_key', key: value } : { kind: 'jwt', token: value };
}

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
 * The preHandler of every contract route: checks the credential kind the route accepts,
 * verifies it, and, when the route names a `permission`, asks the tenant's policy.
 */
export function authenticate(services: Services) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.principal = undefined;
    const meta = routeMetadata(request);
    if (!meta) return;
    const credential = readCredential(request);
    const em = lazyEm(services);

    if (meta.auth === 'none') {
      if (meta.optionalUser && credential?.kind === 'jwt') {
        request.principal = await verifyUser(services, em, credential.token, request);
      }
      return;
    }
    if (!credential) throw new AppError('unauthenticated', 'This call needs a credential');
    if (credential.kind === 'api_key') {
      if (meta.auth === 'user') {
        // Verify first, so a wrong key is a 401 whatever the route, and a right one a 403 here.
        await verifyApiKey(services, em(), credential.key);
        throw new AppError('credential_not_allowed', 'This call needs a signed-in user, not an API key');
      }
      request.principal = await verifyApiKey(services, em(), credential.key);
    } else {
      const user = await verifyUser(services, em, credential.token, request);
      if (meta.auth === 'api_key') throw new AppError('credential_not_allowed', 'This call needs an API key');
      request.principal = user;
    }

    if (meta.permission) {
      const policy = await services.policies.forPrincipal(em, request.principal);
      if (!policy.compiled.can(subjectOfPrincipal(request.principal), meta.permission)) {
        throw new AppError('forbidden', `Missing permission "${meta.permission}"`);
      }
    }
  };
}

/**
 * Everything a request needs to know about a session's account, in one round trip: is the
 * session live, the account's current role, status and groups, and the tenant's policy
 * version (so the compiled policy can be reused without another query).
 */
const PRINCIPAL_SQL = `
  select s.revoked_at, s.account_id, a.person_id, a.tenant_id, a.role, a.active, a.grant_version,
         t.policy_version,
         coalesce(array(select g.name from group_membership m join tenant_group g on g.id = m.group_id
                        where m.account_id = a.id order by g.name), '{}') as groups
    from session s
    join account a on a.id = s.account_id
    join tenant t on t.id = a.tenant_id
   where s.id = ?`;

type PrincipalRow = CachedPrincipal;

async function verifyUser(
  services: Services,
  em: LazyEm,
  token: string,
  request: FastifyRequest,
): Promise<UserPrincipal> {
  // A Privy access token is accepted in place of ours: it maps to an Enforcer session (privy/bearer.ts).
  const claims = isPrivyToken(token)
    ? await privyBearerClaims(services, em(), token, request)
    : await services.accessTokens.verify(token);
  // A short-lived token is not enough on the server: a logout or a revoked session ends it now.
  let row = services.principalCache.get(claims.sid);
  if (!row) {
    const generation = services.principalCache.generation;
    row = (await em().execute(PRINCIPAL_SQL, [claims.sid], 'get')) as PrincipalRow | undefined;
    if (row) services.principalCache.set(claims.sid, row, generation);
  }
  if (
    !row ||
    row.revoked_at !== null ||
    row.account_id !== claims.sub ||
    row.tenant_id !== claims.tenant_id
  ) {
    throw new AppError('token_invalid', 'This session has ended');
  }
  if (!row.active) throw new AppError('account_inactive', 'This account has been deactivated');
  return {
    kind: 'user',
    claims,
    accountId: claims.sub,
    personId: row.person_id,
    tenantId: row.tenant_id,
    sessionId: claims.sid,
    policyVersion: row.policy_version,
    attributes: mfaSubjectAttributes(claims, services.clock.now()),
    grant: {
      accountId: row.account_id,
      personId: row.person_id,
      tenantId: row.tenant_id,
      active: row.active,
      roles: [row.role],
      groups: row.groups,
      grantVersion: row.grant_version,
    },
  };
}

async function verifyApiKey(services: Services, em: EntityManager, key: string): Promise<ApiKeyPrincipal> {
  // The core's rules (server/core/src/api-keys/secret.ts); this lookup also reads the tenant's policy version.
  if (!looksLikeApiKey(key)) throw invalidApiKey();
  const hash = await hashApiKey(webCryptoHashing, key);
  const row: IApiKey | null = await em.findOne(ApiKey, { keyHash: hash }, { populate: ['tenant'] });
  const now = services.clock.now();
  if (!apiKeyAuthenticates(row, hash, now)) throw invalidApiKey();
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
