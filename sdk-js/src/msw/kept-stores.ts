import { defaultPolicy } from '@enforcer/contract';
import { AppError } from '@enforcer/core';
import type { KeptElsewhere } from '@enforcer/core/memory';
import type { MockStore } from './store';

/**
 * The core's policy, grant and tenant-members ports over the mock's own account and group rows (and the
 * tenant rows' policy columns; API keys are already the core's table), until those tables move into the
 * core's memory database (issue #13). No rule here: reads and writes only.
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
      updatedAt: async (tenantId) => new Date(tenantOf(tenantId).policyUpdatedAt),
      write: async (tenantId, document) => {
        const tenant = tenantOf(tenantId);
        tenant.policy = document;
        tenant.policyUpdatedAt = store.now();
        store.touchPolicy(tenantId);
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
          grantVersion: account.grantVersion,
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
    members: {
      addBuiltInGroup: async (tenantId, { name, description }) => {
        store.createGroup(tenantId, { name, description, builtIn: true });
      },
      addAccount: async (tenantId, personId, role) =>
        store.accountView(store.createAccount(personId, tenantId, role)),
      hasAccount: async (tenantId, email) => {
        const person = store.personByEmail(email);
        return person !== undefined && store.accountOf(person.id, tenantId) !== undefined;
      },
    },
  };
}
