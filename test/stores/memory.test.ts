import { MemoryOtpChallengeStore, MemorySessionStore } from '@enforcer/core/memory';
import { otpChallengeStoreContract } from './codes.contract';
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
