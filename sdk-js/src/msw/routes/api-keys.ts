import type { contract } from '@enforcer/contract';
import { toPredicate } from '@enforcer/contract/policy';
import type { RouterImpl } from '../context';
import { randomToken, uuid } from '../crypto';
import { subjectOfPrincipal } from '../dispatch';
import { MockError } from '../problem';
import { apiKeyResource, assertRoleWithinReach, requireAllowed } from './grants';
import { byPage, paginate, principalOf, tenantIdOf } from './helpers';

export const apiKeysRoutes: RouterImpl<typeof contract.apiKeys> = {
  create: ({ body }, ctx) => {
    const principal = principalOf(ctx);
    const { store } = ctx;
    const tenantId = tenantIdOf(ctx);
    const role = body.role ?? 'admin';
    const expiresAt = body.expires_at === undefined ? null : Date.parse(body.expires_at);
    if (expiresAt !== null && expiresAt <= store.now()) {
      throw new MockError('bad_request', 'expires_at must be in the future', {
        errors: [{ path: 'body.expires_at', message: 'must be in the future' }],
      });
    }
    assertRoleWithinReach(ctx, principal, role, "The key's");
    const key = `enf_${randomToken(32)}`;
    const row = {
      id: uuid(),
      tenantId,
      name: body.name,
      key,
      prefix: key.slice(0, 12),
      role,
      createdBy: principal.kind === 'user' ? principal.account.id : null,
      createdAt: store.now(),
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    };
    store.apiKeys.set(row.id, row);
    const { last_used_at: _unused, ...view } = store.apiKeyView(row);
    return { status: 201, body: { ...view, key } };
  },

  /** Filtered by the engine (`api_keys.read` on `api_key`). */
  list: ({ query }, ctx) => {
    const { store } = ctx;
    const tenantId = tenantIdOf(ctx);
    const plan = store
      .policyOf(tenantId)
      .compiled.plan(subjectOfPrincipal(store, principalOf(ctx)), 'api_keys.read', 'api_key');
    const visible = toPredicate(plan);
    const keys = [...store.apiKeys.values()]
      .filter((k) => k.tenantId === tenantId && k.revokedAt === null && visible(apiKeyResource(k).attributes))
      .sort(byPage)
      .map((k) => store.apiKeyView(k));
    return { status: 200, body: paginate(keys, query) };
  },

  delete: ({ params }, ctx) => {
    const { store } = ctx;
    const tenantId = tenantIdOf(ctx);
    const row = store.apiKeys.get(params.id);
    if (!row || row.tenantId !== tenantId || row.revokedAt !== null)
      throw new MockError('not_found', 'No such API key');
    requireAllowed(store.policyOf(tenantId).compiled, subjectOfPrincipal(store, principalOf(ctx)), {
      action: 'api_keys.delete',
      readAction: 'api_keys.read',
      resource: apiKeyResource(row),
      what: 'API key',
    });
    row.revokedAt = store.now();
    return { status: 204, body: undefined };
  },
};
