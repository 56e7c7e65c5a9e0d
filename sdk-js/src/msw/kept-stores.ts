import { defaultPolicy } from '@enforcer/contract';
import {
  type AccountRecord,
  AppError,
  accountResource,
  type IdentityRecord,
  type PersonRecord,
  pageInMemory,
} from '@enforcer/core';
import type { KeptElsewhere } from '@enforcer/core/memory';
import { uuid } from './crypto';
import type { AccountRow, IdentityRow, MockStore, PersonRow } from './store';

const accountRecord = (a: AccountRow): AccountRecord => ({
  id: a.id,
  tenantId: a.tenantId,
  personId: a.personId,
  role: a.role,
  active: a.active,
  createdAt: new Date(a.createdAt),
});

const personRecord = (p: PersonRow): PersonRecord => ({
  id: p.id,
  email: p.email,
  // The mock's rows keep a flag; the moment of proof is not known to them.
  emailVerifiedAt: p.emailVerified ? new Date(p.createdAt) : null,
  createdAt: new Date(p.createdAt),
});

const identityRecord = (i: IdentityRow): IdentityRecord => ({
  ...i,
  verifiedAt: new Date(i.verifiedAt),
  createdAt: new Date(i.createdAt),
  lastUsedAt: i.lastUsedAt === null ? null : new Date(i.lastUsedAt),
});

/**
 * The core's policy, grant, tenant-members, account and session-ending ports over the mock's own account
 * rows (and the tenant rows' policy columns; API keys, groups, tenants and invites are already the core's
 * tables), until those tables move into the core's memory database (issue #13). No rule here.
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
        return account && account.tenantId === tenantId ? accountRecord(account) : null;
      },
      findOfPerson: async (personId, tenantId) => {
        const account = store.accountOf(personId, tenantId);
        return account ? accountRecord(account) : null;
      },
      create: async ({ personId, tenantId, role }) =>
        accountRecord(store.createAccount(personId, tenantId, role)),
      list: async (tenantId, request) =>
        pageInMemory(
          store
            .accountsOf(tenantId)
            .map(accountRecord)
            .filter(
              (a) =>
                (request.email === undefined || store.persons.get(a.personId)?.email === request.email) &&
                (request.role === undefined || a.role === request.role) &&
                (request.active === undefined || a.active === request.active),
            ),
          request,
          (a) => accountResource(a).attributes,
        ),
      ofPerson: async (personId, request) =>
        pageInMemory(
          [...store.accounts.values()].filter((a) => a.personId === personId).map(accountRecord),
          request,
          () => ({}),
        ),
      profiles: async (accountIds) =>
        accountIds.flatMap((id) => {
          const account = store.accounts.get(id);
          if (!account) return [];
          const email = store.persons.get(account.personId)?.email ?? null;
          return [{ ...accountRecord(account), email, groups: store.groupNames(id) }];
        }),
      countActive: async (tenantId, roles, exceptId) =>
        store.accountsOf(tenantId).filter((a) => a.id !== exceptId && a.active && roles.includes(a.role))
          .length,
      update: async (accountId, changes) => {
        const account = store.accounts.get(accountId);
        if (!account) throw new AppError('not_found', 'No such account');
        if (changes.role !== undefined) account.role = changes.role;
        if (changes.active !== undefined) account.active = changes.active;
      },
      bumpGrantVersion: async (accountId) => {
        const account = store.accounts.get(accountId);
        if (account) store.bumpGrant(account);
      },
      contacts: async (accountId) => {
        const account = store.accounts.get(accountId);
        if (!account) throw new AppError('not_found', 'No such account');
        const phones = [...store.identities.values()]
          .filter((i) => i.personId === account.personId && i.provider === 'phone_otp')
          .map((i) => i.subject);
        return {
          personId: account.personId,
          email: store.persons.get(account.personId)?.email ?? null,
          phones,
        };
      },
    },
    persons: {
      find: async (id) => {
        const person = store.persons.get(id);
        return person ? personRecord(person) : null;
      },
      findByEmail: async (email) => {
        const person = store.personByEmail(email);
        return person ? personRecord(person) : null;
      },
      lock: async () => {},
      create: async ({ email, emailVerifiedAt }) => {
        const person: PersonRow = {
          id: uuid(),
          email,
          emailVerified: emailVerifiedAt !== null,
          createdAt: store.now(),
        };
        store.persons.set(person.id, person);
        return personRecord(person);
      },
      markEmailVerified: async (personId) => {
        const person = store.persons.get(personId);
        if (person) person.emailVerified = true;
      },
      adoptEmail: async (personId, email) => {
        const person = store.persons.get(personId);
        if (!person) throw new AppError('not_found', 'No such person');
        person.email = email;
        person.emailVerified = true;
      },
    },
    identities: {
      lock: async () => {},
      findBySubject: async (provider, subject) => {
        const found = [...store.identities.values()].find(
          (i) => i.provider === provider && i.subject === subject,
        );
        return found ? identityRecord(found) : null;
      },
      ofPerson: async (personId) =>
        [...store.identities.values()]
          .filter((i) => i.personId === personId)
          .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
          .map(identityRecord),
      create: async (input) => {
        if (
          [...store.identities.values()].some(
            (i) => i.provider === input.provider && i.subject === input.subject,
          )
        ) {
          throw new AppError('identity_already_linked', 'This identity is linked to someone already');
        }
        const row: IdentityRow = {
          ...input,
          id: uuid(),
          verifiedAt: input.verifiedAt.getTime(),
          createdAt: store.now(),
          lastUsedAt: input.lastUsedAt === null ? null : input.lastUsedAt.getTime(),
        };
        store.identities.set(row.id, row);
        return identityRecord(row);
      },
      touch: async (id, changes) => {
        const row = store.identities.get(id);
        if (!row) return;
        row.lastUsedAt = changes.lastUsedAt.getTime();
        if (changes.email !== undefined) row.email = changes.email;
      },
      delete: async (id) => {
        store.identities.delete(id);
      },
    },
    accountSessions: {
      endAll: async (accountId, reason) => {
        const live = [...store.sessions.values()].filter((s) => s.accountId === accountId && !s.revokedAt);
        for (const session of live) store.revokeSession(session, reason);
        return live.length;
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
