// The store contract of tenants' policies: every TenantPolicyStore (memory, PostgreSQL) must pass it.
// Above all: a compiled policy is never served for a document that was not committed (a version number
// freed by a rollback is taken again by the next write, with another document).
import { defaultPolicy } from '@enforcer/contract';
import type { PolicyDocument } from '@enforcer/contract/policy';
import type { UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface TenantPolicyStoreHarness {
  uow: UnitOfWork;
}

/** The default policy with one extra role: a document that differs from it by `name`. */
const withRole = (name: string): PolicyDocument => {
  const document = defaultPolicy();
  return { ...document, roles: { ...document.roles, [name]: { permissions: ['accounts.read'] } } };
};

export function tenantPolicyStoreContract(name: string, harness: () => TenantPolicyStoreHarness) {
  describe(`TenantPolicyStore contract (${name})`, () => {
    const seedTenant = (uow: UnitOfWork) =>
      uow.transaction(async (repos) => {
        const tenant = await repos.tenants.create({
          code: `P${crypto.randomUUID().replace(/-/g, '').slice(0, 11).toUpperCase()}`,
          name: 'Policies',
          logoUrl: null,
          theme: {},
          authProviders: ['email_otp'],
          allowSignup: true,
          policy: defaultPolicy(),
        });
        return tenant.id;
      });

    it('a write bumps the version and is what every later read compiles', async () => {
      const { uow } = harness();
      const tenantId = await seedTenant(uow);
      const before = await uow.read((repos) => repos.policies.forTenant(tenantId));
      await uow.transaction((repos) => repos.policies.write(tenantId, withRole('auditor')));
      const after = await uow.read((repos) => repos.policies.forTenant(tenantId));
      expect(after.version).toBeGreaterThan(before.version);
      expect(Object.keys(after.stored.roles)).toContain('auditor');
      expect(after.etag).not.toBe(before.etag);
      const subject = { id: 'a', tenant_id: tenantId, roles: ['auditor'], groups: [] };
      const account = { type: 'account', id: 'b', attributes: { tenant_id: tenantId } };
      expect(after.compiled.can(subject, 'accounts.read', account)).toBe(true);
      expect(before.compiled.can(subject, 'accounts.read', account)).toBe(false);
    });

    it('a rolled-back write, read inside its transaction, is never served after the rollback', async () => {
      const { uow } = harness();
      const tenantId = await seedTenant(uow);
      await expect(
        uow.transaction(async (repos) => {
          await repos.policies.write(tenantId, withRole('ghost'));
          // Read (and compile) the uncommitted document inside its own transaction.
          const inside = await repos.policies.forTenant(tenantId, { lock: true });
          expect(Object.keys(inside.stored.roles)).toContain('ghost');
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      // The next write takes the same version number, with another document.
      await uow.transaction((repos) => repos.policies.write(tenantId, withRole('auditor')));
      const read = await uow.read((repos) => repos.policies.forTenant(tenantId));
      const byVersion = await uow.read((repos) =>
        repos.policies.forTenant(tenantId, { version: read.version }),
      );
      for (const policy of [read, byVersion]) {
        expect(Object.keys(policy.stored.roles)).toContain('auditor');
        expect(Object.keys(policy.effective.roles)).not.toContain('ghost');
      }
    });
  });
}
