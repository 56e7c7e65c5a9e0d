import { MemoryDatabase, MemoryOtpChallengeStore, MemorySessionStore } from '@enforcer/core/memory';
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
    kept: () => ({ policies: notHere, grants: notHere, accounts: notHere }),
  });
};

groupStoreContract('memory', () => ({
  uow: memoryDatabase(),
  seedTenant: async () => crypto.randomUUID(),
  seedAccount: async () => crypto.randomUUID(),
}));
