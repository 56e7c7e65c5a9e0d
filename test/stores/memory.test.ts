import type { AccountGrant } from '@enforcer/core';
import {
  type KeptElsewhere,
  MemoryDatabase,
  MemoryOtpChallengeStore,
  MemorySessionStore,
  recordRevocationEvent,
} from '@enforcer/core/memory';
import { keptStores } from '../../sdk-js/src/msw/kept-stores';
import { MockStore } from '../../sdk-js/src/msw/store';
import { systemClock } from '../../sdk-js/src/shared/clock';
import { accountStoreContract } from './accounts.contract';
import { apiKeyStoreContract } from './api-keys.contract';
import { challengeStoreContract } from './challenges.contract';
import { otpChallengeStoreContract } from './codes.contract';
import { groupStoreContract } from './groups.contract';
import { identityStoreContract } from './identities.contract';
import { sessionStoreContract } from './refresh-tokens.contract';
import { revocationFeedContract } from './revocations.contract';
import { tenantStoreContract } from './tenants.contract';
import { throttleStoreContract } from './throttle.contract';

sessionStoreContract('memory', () => ({
  store: new MemorySessionStore(),
  seedAccount: async () => ({
    accountId: crypto.randomUUID(),
    personId: crypto.randomUUID(),
    tenantId: crypto.randomUUID(),
  }),
}));

otpChallengeStoreContract('memory', () => ({
  store: new MemoryOtpChallengeStore(),
  seedTenant: async () => crypto.randomUUID(),
}));

// The throttle needs no policies or grants.
throttleStoreContract('memory', () => ({
  uow: (clock) => new MemoryDatabase({ now: () => clock.now(), kept: () => ({}) as KeptElsewhere }),
}));

const unused = new Proxy({} as never, {
  get: () => () => Promise.reject(new Error('not used by the tenant store contract')),
});

tenantStoreContract('memory', () => ({
  uow: new MemoryDatabase({
    // The accounts and groups tables are not in the memory database yet (the mock keeps them).
    kept: () => ({
      policies: unused,
      grants: unused,
      accounts: unused,
      accountSessions: unused,
      persons: unused,
      identities: unused,
      members: {
        addBuiltInGroup: async () => undefined,
        addAccount: () => Promise.reject(new Error('not used')),
        hasAccount: async () => false,
      },
    }),
  }),
}));

/** A memory database whose accounts (still kept by the mock's own rows) are a Map here. */
function memoryDatabase() {
  const accounts = new Map<string, AccountGrant>();
  const db = new MemoryDatabase({
    kept: () => ({
      policies: {} as never,
      members: {} as never,
      accounts: {} as never,
      accountSessions: {} as never,
      persons: {} as never,
      identities: {} as never,
      grants: {
        find: async (id) => (accounts.has(id) ? structuredClone(accounts.get(id)!) : null),
        rolesHeld: async () => ({ byActiveAccounts: [], byAnyone: [] }),
      },
    }),
  });
  return { db, accounts };
}

apiKeyStoreContract('memory', () => ({
  uow: memoryDatabase().db,
  seedTenant: async () => crypto.randomUUID(),
}));

challengeStoreContract('memory', () => ({
  uow: memoryDatabase().db,
  seedScope: async () => ({ tenantId: crypto.randomUUID(), personId: crypto.randomUUID() }),
}));

revocationFeedContract('memory', () => {
  const { db, accounts } = memoryDatabase();
  return {
    uow: db,
    seedAccount: async (tenantId = crypto.randomUUID()) => {
      const accountId = crypto.randomUUID();
      accounts.set(accountId, {
        accountId,
        personId: crypto.randomUUID(),
        tenantId,
        active: true,
        roles: ['member'],
        groups: [],
        grantVersion: 1,
      });
      return { tenantId, accountId };
    },
    changeAccount: async (accountId) => {
      const account = accounts.get(accountId)!;
      account.grantVersion += 1;
      recordRevocationEvent(db, { tenantId: account.tenantId, kind: 'account_changed', accountId });
    },
    deleteAccount: async (accountId) => {
      const account = accounts.get(accountId)!;
      accounts.delete(accountId);
      recordRevocationEvent(db, { tenantId: account.tenantId, kind: 'account_changed', accountId });
    },
    age: async (tenantId, seconds) => {
      for (const event of db.tables.revocationEvents) {
        if (event.tenantId === tenantId)
          event.createdAt = new Date(event.createdAt.getTime() - seconds * 1000);
      }
    },
  };
});

// Ports whose tables are not in the memory database yet are not used by these contracts: any use fails.
const notHere = new Proxy({} as never, {
  get: () => () => Promise.reject(new Error('not part of this contract')),
});
const groupsDatabase = () => {
  let ms = Date.UTC(2030, 0, 1);
  return new MemoryDatabase({
    now: () => new Date(ms++),
    kept: () => ({
      policies: notHere,
      grants: notHere,
      accounts: notHere,
      accountSessions: notHere,
      persons: notHere,
      identities: notHere,
      members: notHere,
    }),
  });
};

groupStoreContract('memory', () => ({
  uow: groupsDatabase(),
  seedTenant: async () => crypto.randomUUID(),
  seedAccount: async () => crypto.randomUUID(),
}));

// Accounts are still the mock's own rows (sdk-js/src/msw/kept-stores.ts), so their contract runs over the
// mock's store; a failed unit of work does not restore them yet (nothing here relies on it).
accountStoreContract('memory (mock rows)', () => {
  const store = new MockStore(systemClock, keptStores);
  return {
    uow: store.db,
    seedTenant: async () => store.createTenant({ name: 'Acme Pay' }).id,
    seedAccount: async (tenantId, { email, role }) =>
      store.createAccount(store.ensurePerson(email, true).id, tenantId, role).id,
  };
});

// Linked identities are still the mock's own rows (kept-stores.ts): a failed unit of work does not restore
// them yet, so the rollback case waits for the memory-tables move.
identityStoreContract('memory (mock rows)', () => {
  const store = new MockStore(systemClock, keptStores);
  let n = 0;
  return {
    uow: store.db,
    seedPerson: async () => store.ensurePerson(`identity-${Date.now()}-${++n}@example.com`, true).id,
    restoresOnFailure: false,
  };
});
