import { afterAll } from 'vitest';
import { TenantPolicyService } from '../../server/src/domains/policy/tenant-policy.js';
import { type ITenant, Tenant } from '../../server/src/domains/tenants/entities.js';
import { generateTenantCode } from '../../server/src/domains/tenants/tenant-code.js';
import { systemClock } from '../../server/src/lib/clock.js';
import { cryptoRandom } from '../../server/src/lib/random.js';
import { PostgresOtpChallengeStore } from '../../server/src/stores/postgres/codes.js';
import { PostgresSessionStore } from '../../server/src/stores/postgres/sessions.js';
import { PostgresUnitOfWork } from '../../server/src/stores/postgres/unit-of-work.js';
import { createTestOrm, seedAccount } from '../../server/src/testing/index.js';
import { accountStoreContract } from './accounts.contract';
import { otpChallengeStoreContract } from './codes.contract';
import { groupStoreContract } from './groups.contract';
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

otpChallengeStoreContract('postgres', () => ({
  store: new PostgresOtpChallengeStore({ orm: db.orm }),
  seedTenant: async () => (await seedAccount(db.orm)).tenant.id,
}));

groupStoreContract('postgres', () => ({
  uow: new PostgresUnitOfWork({ orm: db.orm, clock: systemClock, policies: new TenantPolicyService() }),
  seedTenant: async () => (await seedAccount(db.orm)).tenant.id,
  seedAccount: async (tenantId) =>
    (await seedAccount(db.orm, { tenant: { id: tenantId } as ITenant })).account.id,
}));

/** A tenant with no account yet. */
async function seedTenant(): Promise<string> {
  const em = db.orm.em.fork();
  const tenant = em.create(Tenant, {
    code: generateTenantCode(cryptoRandom),
    name: 'Acme Pay',
    policy: null,
    policyEtag: null,
    logoUrl: null,
  });
  await em.flush();
  return tenant.id;
}

accountStoreContract('postgres', () => ({
  uow: new PostgresUnitOfWork({ orm: db.orm, clock: systemClock, policies: new TenantPolicyService() }),
  seedTenant,
  seedAccount: async (tenantId, { email, role }) =>
    (await seedAccount(db.orm, { tenant: { id: tenantId } as ITenant, email, role })).account.id,
}));
