import type { ApiKey, contract } from '@enforcer/contract';
import { callerOf, type Handlers } from '../api/handlers.js';
import { auditActorOf, refuseImpersonation, subjectOfCaller } from '../caller.js';
import { AppError } from '../errors.js';
import { assertTenantActive } from '../operator/tenant-status.js';
import { pageRequest, toPage } from '../pagination.js';
import { type Clock, type Hashing, type RandomSource, webCryptoHashing } from '../platform.js';
import { assertRoleWithinReach, requireAllowed } from '../policy/grants.js';
import { callerPolicy } from '../policy/handlers.js';
import { apiKeyResource } from '../policy/resources.js';
import type { Repositories, UnitOfWork } from '../store.js';
import type { ApiKeyRecord } from './ports.js';
import {
  API_KEY_SHOWN_PREFIX_LENGTH,
  apiKeyAuthenticates,
  apiKeyUseWorthRecording,
  hashApiKey,
  invalidApiKey,
  looksLikeApiKey,
  newApiKey,
} from './secret.js';

/** The role a key acts with when none is asked for. */
export const defaultApiKeyRole = 'admin';

export interface ApiKeysDeps {
  uow: UnitOfWork;
  clock: Clock;
  random: RandomSource;
  hashing?: Hashing;
}

const apiKeyView = (key: ApiKeyRecord): ApiKey => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  role: key.role,
  created_at: key.createdAt.toISOString(),
  expires_at: key.expiresAt?.toISOString() ?? null,
  last_used_at: key.lastUsedAt?.toISOString() ?? null,
});

/**
 * API keys (`POST`/`GET /api-keys`, `DELETE /api-keys/{id}`): server-side credentials of one tenant. The
 * plaintext is in the creation answer only; the store holds its SHA-256. A key acts with a role that never
 * grants more than its creator holds; listings show what the policy lets the caller read (`api_keys.read`
 * on `api_key`); a deleted key leaves the list and stops working at once.
 */
export const apiKeysHandlers = (deps: ApiKeysDeps): Handlers<typeof contract.apiKeys> => {
  const { uow, clock, random } = deps;
  const hashing = deps.hashing ?? webCryptoHashing;
  return {
    create: async ({ body }, ctx) => {
      const caller = callerOf(ctx);
      refuseImpersonation(caller, 'create an API key');
      const role = body.role ?? defaultApiKeyRole;
      const now = clock.now();
      const expiresAt = body.expires_at === undefined ? null : new Date(body.expires_at);
      if (expiresAt && expiresAt.getTime() <= now.getTime()) {
        throw new AppError('bad_request', 'expires_at must be in the future', {
          errors: [{ path: 'body.expires_at', message: 'must be in the future' }],
        });
      }
      const key = newApiKey(random);
      const row = await apiKeyRecord(hashing, key, {
        id: random.uuid(),
        tenantId: caller.tenantId,
        name: body.name,
        role,
        createdBy: caller.kind === 'user' ? caller.accountId : null,
        createdAt: now,
        expiresAt,
      });
      await uow.transaction(async (repos) => {
        assertRoleWithinReach(await callerPolicy(repos, caller), caller, role, "The key's");
        await repos.apiKeys.insert(row);
        repos.audit.record({
          action: 'api_key.created',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'api_key', id: row.id },
          ...ctx.client,
          details: { name: row.name, role, prefix: row.prefix, expires_at: expiresAt?.toISOString() ?? null },
        });
      });
      const { last_used_at: _unused, ...view } = apiKeyView(row);
      return { status: 201, body: { ...view, key } };
    },

    list: async ({ query }, ctx) => {
      const caller = callerOf(ctx);
      const rows = await uow.read(async (repos) => {
        const policy = await callerPolicy(repos, caller);
        return repos.apiKeys.list(caller.tenantId, {
          ...pageRequest(query),
          visible: policy.compiled.plan(subjectOfCaller(caller), 'api_keys.read', 'api_key'),
        });
      });
      return { status: 200, body: toPage(rows, query.limit, apiKeyView) };
    },

    delete: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      await uow.transaction(async (repos) => {
        const policy = await callerPolicy(repos, caller);
        const row = await repos.apiKeys.findLive(caller.tenantId, params.id);
        if (!row) throw new AppError('not_found', 'No such API key');
        requireAllowed(policy, caller, {
          action: 'api_keys.delete',
          readAction: 'api_keys.read',
          resource: apiKeyResource(row),
          what: 'API key',
        });
        await repos.apiKeys.revoke(row.id, clock.now());
        repos.audit.record({
          action: 'api_key.revoked',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'api_key', id: row.id },
          ...ctx.client,
          details: { name: row.name, prefix: row.prefix },
        });
      });
      return { status: 204, body: undefined };
    },
  };
};

/** The record of a new key (`newApiKey`): what the store keeps of it. */
export const apiKeyRecord = async (
  hashing: Hashing,
  key: string,
  fields: Pick<ApiKeyRecord, 'id' | 'tenantId' | 'name' | 'role' | 'createdBy' | 'createdAt' | 'expiresAt'>,
): Promise<ApiKeyRecord> => ({
  ...fields,
  prefix: key.slice(0, API_KEY_SHOWN_PREFIX_LENGTH),
  keyHash: await hashApiKey(hashing, key),
  lastUsedAt: null,
  revokedAt: null,
});

/**
 * The live key a presented secret names, or `401 invalid_credentials` (unknown, revoked or expired alike).
 * Records the use, at most once a minute. The server's `authenticate` preHandler applies the same rules
 * (secret.ts) in its own lookup, which also reads the tenant's policy version.
 */
export async function authenticateApiKey(
  repos: Repositories,
  deps: { clock: Clock; hashing?: Hashing },
  key: string,
): Promise<ApiKeyRecord> {
  if (!looksLikeApiKey(key)) throw invalidApiKey();
  const hash = await hashApiKey(deps.hashing ?? webCryptoHashing, key);
  const row = await repos.apiKeys.findByHash(hash);
  const now = deps.clock.now();
  if (!apiKeyAuthenticates(row, hash, now)) throw invalidApiKey();
  // A right key of a suspended tenant is a 403, not a 401: the key is fine, its tenant is not let in.
  assertTenantActive(await repos.tenants.find(row.tenantId));
  if (apiKeyUseWorthRecording(row.lastUsedAt, now)) {
    await repos.apiKeys.touch(row.id, now);
    row.lastUsedAt = now;
  }
  return row;
}
