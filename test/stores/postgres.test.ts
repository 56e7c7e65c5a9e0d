import type { FamilyTransaction } from '@enforcer/core';
import { generateTenantCode, webCryptoRandom } from '@enforcer/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { TenantPolicyService } from '../../server/src/domains/policy/tenant-policy.js';
import { type ITenant, Tenant } from '../../server/src/entities/tenants.js';
import { WebhookEvent } from '../../server/src/entities/webhooks.js';
import { systemClock } from '../../server/src/lib/clock.js';
import { PostgresOtpChallengeStore } from '../../server/src/stores/postgres/codes.js';
import { PostgresGrantReader } from '../../server/src/stores/postgres/grants.js';
import { executePrepared } from '../../server/src/stores/postgres/prepared.js';
import { PostgresSessionStore } from '../../server/src/stores/postgres/sessions.js';
import { PostgresUnitOfWork } from '../../server/src/stores/postgres/unit-of-work.js';
import { createTestOrm, seedAccount } from '../../server/src/testing/index.js';
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

throttleStoreContract('postgres', () => ({
  uow: (clock) => new PostgresUnitOfWork({ orm: db.orm, clock, policies: new TenantPolicyService() }),
}));

sendCounterStoreContract('postgres', () => ({
  uow: (clock) => new PostgresUnitOfWork({ orm: db.orm, clock, policies: new TenantPolicyService() }),
}));

tenantPolicyStoreContract('postgres', () => ({
  uow: new PostgresUnitOfWork({ orm: db.orm, clock: systemClock, policies: new TenantPolicyService() }),
}));

tenantStoreContract('postgres', () => ({
  uow: new PostgresUnitOfWork({ orm: db.orm, clock: systemClock, policies: new TenantPolicyService() }),
}));

const uow = new PostgresUnitOfWork({ orm: db.orm, clock: systemClock, policies: new TenantPolicyService() });
const sql = (query: string, params: unknown[]) =>
  db.orm.em.fork().getConnection().execute(query, params, 'run');

applicationStoreContract('postgres', () => ({
  uow,
  seedTenant: async () => (await seedAccount(db.orm)).tenant.id,
}));

apiKeyStoreContract('postgres', () => ({
  uow,
  seedTenant: async () => (await seedAccount(db.orm)).tenant.id,
}));

challengeStoreContract('postgres', () => ({
  uow,
  seedScope: async () => {
    const { account } = await seedAccount(db.orm);
    return { tenantId: account.tenant.id, personId: account.person.id };
  },
}));

passwordStoreContract('postgres', () => ({
  uow,
  seedPerson: async () => (await seedAccount(db.orm)).person.id,
}));

passkeyStoreContract('postgres', () => ({
  uow,
  seedPerson: async () => (await seedAccount(db.orm)).person.id,
}));

oauthStoreContract('postgres', () => ({
  uow,
  seedTenant: async () => (await seedAccount(db.orm)).tenant.id,
}));

magicLinkStoreContract('postgres', () => ({
  uow,
  seedTenant: async () => (await seedAccount(db.orm)).tenant.id,
}));

mfaStoreContract('postgres', () => ({
  uow,
  seedAccount: async () => {
    const { account, person, tenant } = await seedAccount(db.orm);
    return { accountId: account.id, personId: person.id, tenantId: tenant.id };
  },
}));

revocationFeedContract('postgres', () => ({
  uow,
  seedAccount: async (tenantId) => {
    const tenant = tenantId ? await db.orm.em.fork().findOneOrFail(Tenant, tenantId) : undefined;
    const { account } = await seedAccount(db.orm, tenant ? { tenant } : {});
    return { tenantId: tenantId ?? account.tenant.id, accountId: account.id };
  },
  // The database's triggers write the events, as for every change the server makes.
  changeAccount: (accountId) =>
    sql('update account set grant_version = grant_version + 1 where id = ?', [accountId]).then(
      () => undefined,
    ),
  deleteAccount: (accountId) => sql('delete from account where id = ?', [accountId]).then(() => undefined),
  age: (tenantId, seconds) =>
    sql(
      'update revocation_event set created_at = created_at - make_interval(secs => ?::float8) where tenant_id = ?',
      [seconds, tenantId],
    ).then(() => undefined),
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
    code: generateTenantCode(webCryptoRandom),
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
  uowAt: (clock) => new PostgresUnitOfWork({ orm: db.orm, clock, policies: new TenantPolicyService() }),
}));

personStoreContract('postgres', () => ({
  uow: new PostgresUnitOfWork({ orm: db.orm, clock: systemClock, policies: new TenantPolicyService() }),
}));

identityStoreContract('postgres', () => ({
  uow,
  seedPerson: async () => (await seedAccount(db.orm)).person.id,
}));

// `/authorize` runs one read per request: with the caller's policy compiled and cached, it reads no row and
// should not pay for an entity manager fork either (repositories and the fork are made on first use).
describe('PostgresUnitOfWork.read', () => {
  it('forks no entity manager for a cached policy, and one for a read that needs rows', async () => {
    const { tenant, account } = await seedAccount(db.orm);
    const reads = new PostgresUnitOfWork({
      orm: db.orm,
      clock: systemClock,
      policies: new TenantPolicyService(),
    });
    const caller = { version: tenant.policyVersion };
    await reads.read((repos) => repos.policies.forTenant(tenant.id, caller)); // compiles and caches
    const fork = vi.spyOn(db.orm.em, 'fork');
    try {
      const policy = await reads.read((repos) => repos.policies.forTenant(tenant.id, caller));
      expect(policy.compiled).toBeDefined();
      expect(fork).not.toHaveBeenCalled();
      const found = await reads.read(async (repos) => {
        await repos.policies.groupGrants(tenant.id);
        return repos.accounts.find(tenant.id, account.id); // a second repository shares the fork
      });
      expect(found?.id).toBe(account.id);
      expect(fork).toHaveBeenCalledTimes(1);
    } finally {
      fork.mockRestore();
    }
  });
});

auditStoreContract('postgres', () => ({
  uowAt: (clock) => new PostgresUnitOfWork({ orm: db.orm, clock, policies: new TenantPolicyService() }),
  seedTenant: async () => (await seedAccount(db.orm)).tenant.id,
}));

privacyStoreContract('postgres', () => ({
  uow: new PostgresUnitOfWork({ orm: db.orm, clock: systemClock, policies: new TenantPolicyService() }),
  seedTenant,
  seedAccount: async (tenantId, { email, role }) =>
    (await seedAccount(db.orm, { tenant: { id: tenantId } as ITenant, email, role })).account.id,
}));

webhookStoreContract('postgres', () => ({
  uow,
  seedTenant: async () => (await seedAccount(db.orm)).tenant.id,
  outbox: async (tenantId) =>
    (await db.orm.em.fork().find(WebhookEvent, { tenant: tenantId }, { orderBy: { createdAt: 'asc' } })).map(
      (row) => ({ id: row.id, type: row.type, payload: row.payload }),
    ),
}));

kycStoreContract('postgres', () => ({
  uow: new PostgresUnitOfWork({ orm: db.orm, clock: systemClock, policies: new TenantPolicyService() }),
  seedAccount: async () => {
    const { account, person, tenant } = await seedAccount(db.orm);
    return { tenantId: tenant.id, accountId: account.id, personId: person.id };
  },
}));

// The PostgreSQL session store decides a rotation on an unlocked read and writes only if the token and its
// session are still as read; otherwise it decides again under `SELECT ... FOR UPDATE`. These tests change
// the rows between the read and the write, as a concurrent request would.
describe('PostgresSessionStore.withFamily, optimistic then locked', () => {
  const rotation = async () => {
    const { account, person, tenant } = await seedAccount(db.orm);
    const store = new PostgresSessionStore({ orm: db.orm });
    const now = new Date();
    const session = {
      id: crypto.randomUUID(),
      accountId: account.id,
      personId: person.id,
      tenantId: tenant.id,
      amr: ['otp'],
      mfaAt: null,
      ip: null,
      userAgent: null,
      createdAt: now,
      lastUsedAt: now,
      absoluteExpiresAt: new Date(now.getTime() + 3_600_000),
      revokedAt: null,
      revokeReason: null,
    };
    const token = {
      id: crypto.randomUUID(),
      sessionId: session.id,
      tokenHash: `hash-${crypto.randomUUID()}`,
      parentId: null,
      replacedById: null,
      usedAt: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 600_000),
    };
    await store.insertSession(session, token);
    /** A rotation's work: refuses an ended session or a used token, else spends the token for a successor. */
    const rotate = async (family: FamilyTransaction) => {
      if (family.session.revokedAt) return 'session ended';
      if (family.token.usedAt) return 'already used';
      const next = {
        ...token,
        id: crypto.randomUUID(),
        tokenHash: `hash-${crypto.randomUUID()}`,
        parentId: token.id,
      };
      await family.insertToken(next);
      await family.markUsed(family.token.id, new Date(), next.id);
      await family.updateSession({ lastUsedAt: new Date() });
      return 'rotated';
    };
    const successors = () =>
      db.orm.em
        .fork()
        .getConnection()
        .execute<{ n: number }[]>('select count(*)::int as n from refresh_token where parent_id = ?', [
          token.id,
        ]);
    return { store, session, token, rotate, successors };
  };

  it('runs the work once and writes when nothing changed in between', async () => {
    const { store, token, rotate, successors } = await rotation();
    const runs: string[] = [];
    const outcome = await store.withFamily(token.tokenHash, async (family) => {
      runs.push('run');
      return rotate(family);
    });
    expect(outcome).toBe('rotated');
    expect(runs).toHaveLength(1);
    expect((await successors())[0]!.n).toBe(1);
  });

  it('a session ended between the read and the write: nothing written, decided again on the ended session', async () => {
    const { store, session, token, rotate, successors } = await rotation();
    const seen: (Date | null)[] = [];
    const outcome = await store.withFamily(token.tokenHash, async (family) => {
      seen.push(family.session.revokedAt);
      // Another request logs the session out after this one read it.
      if (seen.length === 1) await store.revokeSession(session.id, 'logout', new Date());
      return rotate(family);
    });
    expect(outcome).toBe('session ended');
    expect(seen[0]).toBeNull();
    expect(seen[1]).toBeInstanceOf(Date);
    expect((await successors())[0]!.n).toBe(0);
    expect(await store.findSession(session.id)).toMatchObject({ revokeReason: 'logout' });
  });

  it('a token spent by another request between the read and the write: one successor only', async () => {
    const { store, token, rotate, successors } = await rotation();
    let runs = 0;
    const outcome = await store.withFamily(token.tokenHash, async (family) => {
      runs++;
      // A concurrent refresh of the same token commits first.
      if (runs === 1) expect(await store.withFamily(token.tokenHash, rotate)).toBe('rotated');
      return rotate(family);
    });
    expect(outcome).toBe('already used');
    expect(runs).toBe(2);
    expect((await successors())[0]!.n).toBe(1);
  });

  /**
   * After `leave` left a snapshot of the token's family, another server process (no snapshot of its own:
   * the locked way, as a caller's transaction takes) rotates the token first. The rotation here decides
   * once on the stale snapshot (not written), then again under locks: one successor in all.
   */
  const staleSnapshotNotTrusted = async (leave: (tokenHash: string) => Promise<{ id: string } | null>) => {
    const { store, token, rotate, successors } = await rotation();
    expect((await leave(token.tokenHash))?.id).toBe(token.sessionId);
    expect(
      await db.orm.em
        .fork()
        .transactional((tx) => new PostgresSessionStore({ tx }).withFamily(token.tokenHash, rotate)),
    ).toBe('rotated');
    let runs = 0;
    const outcome = await store.withFamily(token.tokenHash, async (family) => {
      runs++;
      return rotate(family);
    });
    expect(outcome).toBe('already used');
    expect(runs).toBe(2);
    expect((await successors())[0]!.n).toBe(1);
  };

  it("a snapshot left by the session store's read, gone stale before the rotation, is not trusted", () =>
    staleSnapshotNotTrusted((hash) =>
      new PostgresSessionStore({ orm: db.orm }).findSessionByTokenHash(hash),
    ));

  it("the refresh's first read (the grants' findByRefreshToken, with the context) leaves it too", () =>
    staleSnapshotNotTrusted(async (hash) => {
      const found = await new PostgresGrantReader(db.orm.em.fork()).findByRefreshToken(hash);
      return found?.session ?? null;
    }));

  it('a work that reads another token of the family decides under locks', async () => {
    const { store, token, rotate } = await rotation();
    await store.withFamily(token.tokenHash, rotate);
    const locked: boolean[] = [];
    const successor = await store.withFamily(token.tokenHash, async (family) => {
      const next = await family.findToken(family.token.replacedById!);
      locked.push(true);
      return next?.parentId;
    });
    expect(successor).toBe(token.id);
    expect(locked).toHaveLength(1); // the optimistic run stopped at findToken, before this line
  });
});

usageStoreContract('postgres', () => ({
  uow: (clock) => new PostgresUnitOfWork({ orm: db.orm, clock, policies: new TenantPolicyService() }),
  seedTenant: () => seedTenant(),
}));

housekeepingStoreContract('postgres', () => ({
  uow,
  seedAccount: async () => {
    const { account, person, tenant } = await seedAccount(db.orm);
    return { accountId: account.id, personId: person.id, tenantId: tenant.id };
  },
}));

messagingStoreContract('postgres', () => ({
  uow: new PostgresUnitOfWork({ orm: db.orm, clock: systemClock, policies: new TenantPolicyService() }),
  seedTenant: async () => (await seedAccount(db.orm)).tenant.id,
}));

describe('executePrepared (the hot statements as named prepared statements)', () => {
  const sql = `select "id", "name", ?::int + 1 as "next", ?::timestamptz as "at" from "tenant" where "id" = ?`;

  it('returns the rows em.execute returns, outside and inside a transaction', async () => {
    const { tenant } = await seedAccount(db.orm);
    const at = new Date('2026-12-07T00:00:00.123Z');
    const params = [41, at, tenant.id];
    const viaOrm = await db.orm.em.fork().execute(sql, params);
    const prepared = await executePrepared(db.orm.em.fork(), sql, params);
    expect(prepared).toEqual(viaOrm);
    expect(prepared).toEqual([expect.objectContaining({ id: tenant.id, next: 42 })]);
    const inTransaction = await db.orm.em.fork().transactional((em) => executePrepared(em, sql, params));
    expect(inTransaction).toEqual(viaOrm);
  });

  it('runs as a named statement on the connection (parsed there once, not on every call)', async () => {
    // The statement that counts is itself named and prepared on the connection that runs it.
    const names = await executePrepared<{ n: number }>(
      db.orm.em.fork(),
      `select count(*)::int as "n" from pg_prepared_statements where name like 'enforcer_hot_%'`,
      [],
    );
    expect(names[0]!.n).toBeGreaterThan(0);
    // Inside a transaction it runs through the entity manager, unnamed.
    const inTransaction = await db.orm.em
      .fork()
      .transactional((em) =>
        executePrepared<{ n: number }>(
          em,
          `select count(*)::int as "n" from pg_prepared_statements where statement like '%in a transaction%'`,
          [],
        ),
      );
    expect(inTransaction[0]!.n).toBe(0);
  });
});

describe('PostgresGrantReader.findContext, records kept by row version', () => {
  const reader = () => {
    const em = db.orm.em.fork();
    const map = vi.spyOn(em, 'map');
    return { grants: new PostgresGrantReader(em), map };
  };
  const sql = (text: string, params: unknown[]) => db.orm.em.fork().execute(text, params);

  it('maps a row once; an unchanged row is not sent again, and the answer is the same', async () => {
    const { account } = await seedAccount(db.orm);
    const first = reader();
    const before = await first.grants.findContext(account.id);
    expect(first.map).toHaveBeenCalledTimes(3); // account, person, tenant
    const second = reader();
    const again = await second.grants.findContext(account.id);
    expect(second.map).not.toHaveBeenCalled();
    expect(again).toEqual(before);
  });

  it('sees every committed change, made through the ORM or not, to the account, person or tenant', async () => {
    const { account, person, tenant } = await seedAccount(db.orm);
    await reader().grants.findContext(account.id);
    // Raw statements: no ORM hook or timestamp to tell the reader about them, only the row version.
    await sql(
      `update "account" set "role" = 'admin', "roles" = '{admin}', "grant_version" = "grant_version" + 1 where "id" = ?`,
      [account.id],
    );
    let context = await reader().grants.findContext(account.id);
    expect(context!.account.roles).toEqual(['admin']);
    expect(context!.grant.roles).toEqual(['admin']);
    await sql(`update "person" set "display_name" = 'Ada' where "id" = ?`, [person.id]);
    const { grants, map } = reader();
    context = await grants.findContext(account.id);
    expect(context!.person.profile.displayName).toBe('Ada');
    expect(map).toHaveBeenCalledTimes(1); // the person only
    await sql(
      `update "tenant" set "name" = 'Renamed', "policy_version" = "policy_version" + 1 where "id" = ?`,
      [tenant.id],
    );
    context = await reader().grants.findContext(account.id);
    expect(context!.tenant.name).toBe('Renamed');
    expect(context!.policyVersion).toBe(tenant.policyVersion + 1);
    // Group names and a pending deletion are read every time, never kept.
    expect(context!.grant.groups).toEqual([]);
  });

  it('inside a transaction, reads the rows every time (an account updated twice there keeps one xmin)', async () => {
    const { account } = await seedAccount(db.orm);
    await db.orm.em.fork().transactional(async (em) => {
      const grants = new PostgresGrantReader(em);
      await em.execute(`update "account" set "roles" = '{member,one}' where "id" = ?`, [account.id]);
      expect((await grants.findContext(account.id))!.account.roles).toEqual(['member', 'one']);
      await em.execute(`update "account" set "roles" = '{member,two}' where "id" = ?`, [account.id]);
      expect((await grants.findContext(account.id))!.account.roles).toEqual(['member', 'two']);
    });
    expect((await reader().grants.findContext(account.id))!.account.roles).toEqual(['member', 'two']);
  });

  it('hands out copies: changing an answer changes no later one', async () => {
    const { account } = await seedAccount(db.orm);
    await reader().grants.findContext(account.id);
    const kept = await reader().grants.findContext(account.id);
    kept!.account.roles.push('owner');
    kept!.account.metadata.publicMetadata.changed = true;
    kept!.tenant.authProviders.push('password');
    const next = await reader().grants.findContext(account.id);
    expect(next!.account.roles).toEqual(['member']);
    expect(next!.account.metadata.publicMetadata).toEqual({});
    expect(next!.tenant.authProviders).not.toContain('password');
  });
});
