import { MemorySessionStore } from '@enforcer/core/memory';
import { sessionStoreContract } from './refresh-tokens.contract';

sessionStoreContract('memory', () => ({
  store: new MemorySessionStore(),
  seedAccount: async () => ({
    accountId: crypto.randomUUID(),
    personId: crypto.randomUUID(),
    tenantId: crypto.randomUUID(),
  }),
}));
