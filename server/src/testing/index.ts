// Helpers for the server's tests (not part of the package's runtime surface).
import { randomBytes } from 'node:crypto';
import { generateTenantCode } from '@enforcer/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase } from '../../../test/support/index.js';
import { type Config, parseConfig } from '../config.js';
import { initOrm, migrateDatabase } from '../db/orm.js';
import { Account, type IAccount, type IPerson, Person } from '../domains/identity/entities.js';
import { type ITenant, Tenant } from '../domains/tenants/entities.js';
import { cryptoRandom } from '../lib/random.js';

/** A valid test configuration with a fresh master key; `env` overrides environment variables. */
export function testConfig(env: Record<string, string> = {}): Config {
  const parsed = parseConfig({ NODE_ENV: 'test', ...env });
  return { ...parsed, masterKey: parsed.masterKey ?? randomBytes(32), masterKeySource: 'env' };
}

/**
 * A fresh database for this test file (from test/support), migrated, with an ORM on it.
 * Call at collection time or in beforeAll; closes the ORM after the file.
 */
export async function createTestOrm(): Promise<{ orm: MikroORM; url: string; close(): Promise<void> }> {
  const db = await createTestDatabase({ autoDrop: false });
  await migrateDatabase(db.url);
  const orm = await initOrm(db.url, { poolMax: 5 });
  return {
    orm,
    url: db.url,
    close: async () => {
      await orm.close(true);
      await db.drop();
    },
  };
}

/** A tenant, a person and their account in it. */
export async function seedAccount(
  orm: MikroORM,
  options: { email?: string; role?: string; tenant?: ITenant } = {},
): Promise<{ tenant: ITenant; person: IPerson; account: IAccount }> {
  const em = orm.em.fork();
  const tenant =
    options.tenant ??
    em.create(Tenant, {
      code: generateTenantCode(cryptoRandom),
      name: 'Acme Pay',
      policy: null,
      policyEtag: null,
      logoUrl: null,
    });
  const person = em.create(Person, {
    email: options.email ?? `${randomBytes(6).toString('hex')}@example.com`,
    emailVerifiedAt: null,
  });
  const account = em.create(Account, {
    person,
    tenant: options.tenant ? em.getReference(Tenant, tenant.id) : tenant,
    role: options.role ?? 'member',
  });
  await em.flush();
  return { tenant, person, account };
}
