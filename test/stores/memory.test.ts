import {
  type KeptElsewhere,
  MemoryDatabase,
  MemoryOtpChallengeStore,
  MemorySessionStore,
} from '@enforcer/core/memory';
import { otpChallengeStoreContract } from './codes.contract';
import { sessionStoreContract } from './refresh-tokens.contract';
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
      members: {
        addBuiltInGroup: async () => undefined,
        addAccount: () => Promise.reject(new Error('not used')),
        hasAccount: async () => false,
      },
    }),
  }),
}));
