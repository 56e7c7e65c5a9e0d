import { MemoryDatabase, MemoryOtpChallengeStore, MemorySessionStore } from '@enforcer/core/memory';
import { systemClock } from '../../sdk-js/src/clock';
import { keptStores } from '../../sdk-js/src/msw/kept-stores';
import { MockStore } from '../../sdk-js/src/msw/store';
import { accountStoreContract } from './accounts.contract';
import { otpChallengeStoreContract } from './codes.contract';
import { groupStoreContract } from './groups.contract';
import { sessionStoreContract } from './refresh-tokens.contract';

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

// Ports whose tables are not in the memory database yet are not used by these contracts: any use fails.
const notHere = new Proxy({} as never, {
  get: () => () => Promise.reject(new Error('not part of this contract')),
});
const memoryDatabase = () => {
  let ms = Date.UTC(2030, 0, 1);
  return new MemoryDatabase({
    now: () => new Date(ms++),
    kept: () => ({
      policies: notHere,
      grants: notHere,
      accounts: notHere,
      accountSessions: notHere,
      lockouts: notHere,
    }),
  });
};

groupStoreContract('memory', () => ({
  uow: memoryDatabase(),
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
