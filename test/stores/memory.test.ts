import {
  bumpGrant,
  insertAccount,
  MemoryDatabase,
  MemoryOtpChallengeStore,
  recordRevocationEvent,
} from '@enforcer/core/memory';
import { accountStoreContract } from './accounts.contract';
import { apiKeyStoreContract } from './api-keys.contract';
import { applicationStoreContract } from './applications.contract';
import { auditStoreContract } from './audit.contract';
import { challengeStoreContract } from './challenges.contract';
import { otpChallengeStoreContract } from './codes.contract';
import { groupStoreContract } from './groups.contract';
import { housekeepingStoreContract } from './housekeeping.contract';
import { identityStoreContract } from './identities.contract';
import { kycStoreContract } from './kyc.contract';
import { magicLinkStoreContract } from './magic-links.contract';
import { messagingStoreContract } from './messaging.contract';
import { mfaStoreContract } from './mfa.contract';
import { oauthStoreContract } from './oauth.contract';
import { passkeyStoreContract } from './passkeys.contract';
import { passwordStoreContract } from './passwords.contract';
import { personStoreContract } from './persons.contract';
import { tenantPolicyStoreContract } from './policies.contract';
import { privacyStoreContract } from './privacy.contract';
import { sessionStoreContract } from './refresh-tokens.contract';
import { revocationFeedContract } from './revocations.contract';
import { tenantStoreContract } from './tenants.contract';
import { sendCounterStoreContract, throttleStoreContract } from './throttle.contract';
import { usageStoreContract } from './usage.contract';
import { webhookStoreContract } from './webhooks.contract';

sessionStoreContract('memory', () => ({
  store: new MemoryDatabase().sessions,
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

throttleStoreContract('memory', () => ({
  uow: (clock) => new MemoryDatabase({ now: () => clock.now() }),
}));

sendCounterStoreContract('memory', () => ({
  uow: (clock) => new MemoryDatabase({ now: () => clock.now() }),
}));

tenantPolicyStoreContract('memory', () => ({ uow: new MemoryDatabase() }));

tenantStoreContract('memory', () => ({ uow: new MemoryDatabase() }));

applicationStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedTenant: async () => crypto.randomUUID(),
}));

apiKeyStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedTenant: async () => crypto.randomUUID(),
}));

challengeStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedScope: async () => ({ tenantId: crypto.randomUUID(), personId: crypto.randomUUID() }),
}));

passwordStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedPerson: async () => crypto.randomUUID(),
}));

oauthStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedTenant: async () => crypto.randomUUID(),
}));

magicLinkStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedTenant: async () => crypto.randomUUID(),
}));

mfaStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedAccount: async () => ({
    accountId: crypto.randomUUID(),
    personId: crypto.randomUUID(),
    tenantId: crypto.randomUUID(),
  }),
}));

passkeyStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedPerson: async () => crypto.randomUUID(),
}));

revocationFeedContract('memory', () => {
  const db = new MemoryDatabase();
  return {
    uow: db,
    seedAccount: async (tenantId = crypto.randomUUID()) => {
      const account = insertAccount(db, { personId: crypto.randomUUID(), tenantId, role: 'member' });
      return { tenantId, accountId: account.id };
    },
    changeAccount: async (accountId) => bumpGrant(db, db.tables.accounts.get(accountId)!),
    deleteAccount: async (accountId) => {
      const account = db.tables.accounts.get(accountId)!;
      db.tables.accounts.delete(accountId);
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

const groupsDatabase = () => {
  let ms = Date.UTC(2030, 0, 1);
  return new MemoryDatabase({ now: () => new Date(ms++) });
};

groupStoreContract('memory', () => ({
  uow: groupsDatabase(),
  seedTenant: async () => crypto.randomUUID(),
  seedAccount: async () => crypto.randomUUID(),
}));

accountStoreContract('memory', () => {
  const db = new MemoryDatabase();
  return {
    uow: db,
    seedTenant: async () => crypto.randomUUID(),
    seedAccount: (tenantId, { email, role }) =>
      db.transaction(async (repos) => {
        const person = await repos.persons.create({ email, emailVerifiedAt: db.now() });
        return (await repos.accounts.create({ personId: person.id, tenantId, role })).id;
      }),
    uowAt: (clock) => new MemoryDatabase({ now: () => clock.now() }),
  };
});

personStoreContract('memory', () => ({ uow: new MemoryDatabase() }));

identityStoreContract('memory', () => {
  const db = new MemoryDatabase();
  return {
    uow: db,
    seedPerson: async () => {
      const id = crypto.randomUUID();
      db.tables.persons.set(id, { id, email: `${id}@example.com`, emailVerified: true, createdAt: 0 });
      return id;
    },
  };
});

auditStoreContract('memory', () => ({
  uowAt: (clock) => new MemoryDatabase({ now: () => clock.now() }),
  seedTenant: async () => crypto.randomUUID(),
}));

privacyStoreContract('memory', () => {
  const db = new MemoryDatabase();
  return {
    uow: db,
    seedTenant: async () => crypto.randomUUID(),
    seedAccount: (tenantId, { email, role }) =>
      db.transaction(async (repos) => {
        const person = await repos.persons.create({ email, emailVerifiedAt: db.now() });
        return (await repos.accounts.create({ personId: person.id, tenantId, role })).id;
      }),
  };
});

webhookStoreContract('memory', () => {
  const db = new MemoryDatabase();
  return {
    uow: db,
    seedTenant: async () => crypto.randomUUID(),
    outbox: async (tenantId) => db.tables.webhookEvents.filter((e) => e.tenantId === tenantId),
  };
});
kycStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedAccount: async () => ({
    tenantId: crypto.randomUUID(),
    accountId: crypto.randomUUID(),
    personId: crypto.randomUUID(),
  }),
}));

usageStoreContract('memory', () => ({
  uow: (clock) => new MemoryDatabase({ now: () => clock.now() }),
  seedTenant: async () => crypto.randomUUID(),
}));

housekeepingStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedAccount: async () => ({
    accountId: crypto.randomUUID(),
    personId: crypto.randomUUID(),
    tenantId: crypto.randomUUID(),
  }),
}));

messagingStoreContract('memory', () => ({
  uow: new MemoryDatabase(),
  seedTenant: async () => crypto.randomUUID(),
}));
