import { afterAll } from 'vitest';
import { PostgresSessionStore } from '../../server/src/stores/postgres/sessions.js';
import { createTestOrm, seedAccount } from '../../server/src/testing/index.js';
import { sessionStoreContract } from './refresh-tokens.contract';

const db = await createTestOrm();
afterAll(() => db.close());

sessionStoreContract('postgres', () => ({
  store: new PostgresSessionStore({ orm: db.orm }),
  seedAccount: async () => {
    const { account, person, tenant } = await seedAccount(db.orm);
    return { accountId: account.id, personId: person.id, tenantId: tenant.id };
  },
}));
