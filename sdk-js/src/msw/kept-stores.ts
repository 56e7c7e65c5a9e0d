import { defaultPolicy } from '@enforcer/contract';
import { AppError } from '@enforcer/core';
import type { KeptElsewhere } from '@enforcer/core/memory';
import type { MockStore } from './store';

/**
 * The core's policy, grant and account ports over the mock's own tenant, account and API-key rows, until those
 * tables move into the core's memory database (issue #13). No rule here: reads and writes only.
 */
export function keptStores(store: MockStore): KeptElsewhere {
  const tenantOf = (tenantId: string) => {
    const tenant = store.tenants.get(tenantId);
    if (!tenant) throw new AppError('not_found', 'No such tenant');
    return tenant;
  };
  return {
    policies: {
      forTenant: async (tenantId) => {
        const tenant = tenantOf(tenantId);
        const { compiled, effective, version } = store.policyOf(tenantId);
        return {
          tenantId,
          version,
          stored: tenant.policy ?? defaultPolicy(),
          effective,
          compiled,
          etag: await store.etagOf(tenantId),
        };
      },
      groupGrants: async (tenantId) =>
        store
          .groupsOf(tenantId)
          .map((g) => ({ name: g.name, permissions: [...g.permissions], description: g.description })),
      bumpVersion: async (tenantId) => {
        tenantOf(tenantId);
        store.touchPolicy(tenantId);
      },
      updatedAt: async (tenantId) => new Date(tenantOf(tenantId).policyUpdatedAt),
      write: async (tenantId, document) => {
        const tenant = tenantOf(tenantId);
        tenant.policy = document;
        tenant.policyUpdatedAt = store.now();
        store.touchPolicy(tenantId);
      },
    },
    accounts: {
      // No row locks in memory: units of work run one at a time.
      find: async (tenantId, accountId) => {
        const account = store.accounts.get(accountId);
        if (!account || account.tenantId !== tenantId) return null;
        const { id, personId, role, active } = account;
        return { id, tenantId, personId, role, active, createdAt: new Date(account.createdAt) };
      },
      bumpGrantVersion: async (accountId) => {
        const account = store.accounts.get(accountId);
        if (account) store.bumpGrant(account);
      },
    },
    grants: {
      find: async (accountId) => {
        const account = store.accounts.get(accountId);
        if (!account) return null;
        const subject = store.subjectOf(account);
        return {
          accountId: account.id,
          personId: account.personId,
          tenantId: account.tenantId,
          active: account.active,
          roles: [...subject.roles],
          groups: [...subject.groups],
        };
      },
      rolesHeld: async (tenantId) => {
        const accounts = store.accountsOf(tenantId);
        const keys = [...store.apiKeys.values()].filter(
          (k) => k.tenantId === tenantId && k.revokedAt === null,
        );
        return {
          byActiveAccounts: [...new Set(accounts.filter((a) => a.active).map((a) => a.role))],
          byAnyone: [...new Set([...accounts.map((a) => a.role), ...keys.map((k) => k.role)])],
        };
      },
    },
  };
}
