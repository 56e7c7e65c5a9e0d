import { type ApiKey as ApiKeyDto, contract } from '@enforcer/contract';
import { type DomainRoutes, registerContractRoutes } from '../../http/contract-routes.js';
import { subjectOfPrincipal } from '../../http/principal.js';
import { auditActor, clientInfo, requirePrincipal } from '../../http/request-context.js';
import { AppError } from '../../lib/errors.js';
import { afterPosition, decodeCursor, pageOrder, toPage } from '../../lib/pagination.js';
import { recordAudit } from '../audit/record-audit.js';
import { assertRoleWithinReach } from '../policy/grants.js';
import { apiKeyFields, apiKeyResource } from '../policy/resources.js';
import { requireAllowed, visibleFilter } from '../policy/visible.js';
import { Tenant } from '../tenants/entities.js';
import { API_KEY_PREFIX, hashApiKey } from './api-key-hash.js';
import { ApiKey, type IApiKey } from './entities.js';

/** The role a key acts with when none is asked for. */
export const defaultApiKeyRole = 'admin';

/** How many characters of a key listings show, to tell keys apart (`enf_` and 8 more: 48 of 256 bits). */
const shownPrefixLength = 12;

const apiKeyDto = (key: IApiKey): ApiKeyDto => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  role: key.role,
  created_at: key.createdAt.toISOString(),
  expires_at: key.expiresAt?.toISOString() ?? null,
  last_used_at: key.lastUsedAt?.toISOString() ?? null,
});

/**
 * API keys: server-side credentials of one tenant. The plaintext (`enf_` + 32 random bytes in
 * base64url) is in the creation answer only; the database holds its SHA-256. A key acts with a
 * role that never grants more than its creator holds, and a deleted key stops working at once.
 */
export const apiKeysRoutes: DomainRoutes = (app, services) => {
  const { orm, clock, random, policies } = services;

  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) => {
    registerContractRoutes(scope, contract.apiKeys, {
      create: async ({ body, request }) => {
        const principal = requirePrincipal(request);
        const role = body.role ?? defaultApiKeyRole;
        const now = clock.now();
        const expiresAt = body.expires_at === undefined ? null : new Date(body.expires_at);
        if (expiresAt && expiresAt.getTime() <= now.getTime()) {
          throw new AppError('bad_request', 'expires_at must be in the future', {
            errors: [{ path: 'body.expires_at', message: 'must be in the future' }],
          });
        }
        const key = API_KEY_PREFIX + random.bytes(32).toString('base64url');
        const row = await orm.em.fork().transactional(async (em) => {
          const policy = await policies.forPrincipal(em, principal);
          assertRoleWithinReach(policy, principal, role, "The key's");
          const row = em.create(ApiKey, {
            tenant: em.getReference(Tenant, principal.tenantId),
            name: body.name,
            prefix: key.slice(0, shownPrefixLength),
            keyHash: hashApiKey(key),
            role,
            createdBy: principal.kind === 'user' ? principal.accountId : null,
            createdAt: now,
            lastUsedAt: null,
            expiresAt,
            revokedAt: null,
          });
          recordAudit(em, clock, {
            action: 'api_key.created',
            actor: auditActor(principal),
            tenantId: principal.tenantId,
            target: { type: 'api_key', id: row.id },
            ...clientInfo(request),
            details: {
              name: body.name,
              role,
              prefix: row.prefix,
              expires_at: expiresAt?.toISOString() ?? null,
            },
          });
          return row;
        });
        const { last_used_at: _unused, ...dto } = apiKeyDto(row);
        return { status: 201, body: { ...dto, key } };
      },

      list: async ({ query, request }) => {
        const principal = requirePrincipal(request);
        const em = orm.em.fork();
        const policy = await policies.forPrincipal(em, principal);
        const visible = visibleFilter(
          policy,
          subjectOfPrincipal(principal),
          'api_keys.read',
          'api_key',
          apiKeyFields,
        );
        const rows = await em.find(
          ApiKey,
          {
            $and: [
              { tenant: principal.tenantId, revokedAt: null },
              visible,
              afterPosition(decodeCursor(query.cursor)),
            ],
          },
          { orderBy: pageOrder, limit: query.limit + 1 },
        );
        return { status: 200, body: toPage(rows, query.limit, apiKeyDto) };
      },

      delete: async ({ params, request }) => {
        const principal = requirePrincipal(request);
        await orm.em.fork().transactional(async (em) => {
          const policy = await policies.forPrincipal(em, principal);
          const row = await em.findOne(ApiKey, {
            id: params.id,
            tenant: principal.tenantId,
            revokedAt: null,
          });
          if (!row) throw new AppError('not_found', 'No such API key');
          requireAllowed(policy, subjectOfPrincipal(principal), {
            action: 'api_keys.delete',
            readAction: 'api_keys.read',
            resource: apiKeyResource(row),
            what: 'API key',
          });
          row.revokedAt = clock.now();
          recordAudit(em, clock, {
            action: 'api_key.revoked',
            actor: auditActor(principal),
            tenantId: principal.tenantId,
            target: { type: 'api_key', id: row.id },
            ...clientInfo(request),
            details: { name: row.name, prefix: row.prefix },
          });
        });
        return { status: 204, body: undefined };
      },
    });
  });
};
