import {
  type KeptElsewhere,
  MemoryDatabase,
  MemoryOtpChallengeStore,
  MemorySessionStore,
} from '@enforcer/core/memory';
import { otpChallengeStoreContract } from './codes.contract';
import { sessionStoreContract } from './refresh-tokens.contract';
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
