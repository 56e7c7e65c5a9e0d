import { verifyAuditChain } from '@enforcer/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/index.js';
import { TenantPolicyService } from '../domains/policy/tenant-policy.js';
import { systemClock } from '../lib/clock.js';
import { PostgresUnitOfWork } from '../stores/postgres/unit-of-work.js';
import { initOrm } from './orm.js';

// Events written before the audit chain (#15) are chained by its migration, per tenant in the order they
// were written, with the function that chains new ones: a database upgraded with events verifies whole.
const db = await createTestDatabase({ template: 'template0' });
const orm = await initOrm(db.url, { poolMax: 2 });
afterAll(() => orm.close(true));

describe('Migration20261206130000_audit_chain', () => {
  it('chains the events already there, and new ones follow them', async () => {
    await orm.migrator.up({ to: 'Migration20261206040000_person_profile' });
    const tenant = crypto.randomUUID();
    const insert = (tenantId: string | null, action: string, at: string, details: object) =>
      orm.em
        .getConnection()
        .execute(
          `insert into audit_event (id, tenant_id, actor_type, actor_id, action, details, created_at) values (?, ?, 'system', null, ?, ?, ?)`,
          [crypto.randomUUID(), tenantId, action, JSON.stringify(details), at],
        );
    await insert(tenant, 'auth.login.succeeded', '2026-01-01T00:00:01Z', { b: 2, a: [1, { z: true }] });
    await insert(tenant, 'auth.login.failed', '2026-01-01T00:00:02Z', {
      reason: 'wrong_code',
      email: 'old@example.com',
    });
    await insert(null, 'keys.rotated', '2026-01-01T00:00:03Z', {});
    await insert(tenant, 'api_key.created', '2026-01-01T00:00:04Z', { n: 0.30000000000000004 });

    await orm.migrator.up();
    const uow = new PostgresUnitOfWork({ orm, clock: systemClock, policies: new TenantPolicyService() });
    const chain = await uow.read((repos) => repos.auditEvents.chain(tenant, 0, 10));
    expect(chain.map((e) => [e.seq, e.action, e.outcome])).toEqual([
      [1, 'auth.login.succeeded', 'success'],
      [2, 'auth.login.failed', 'failure'],
      [3, 'api_key.created', 'success'],
    ]);
    await uow.transaction(async (repos) =>
      repos.audit.record({ action: 'test.after', actor: { type: 'system' }, tenantId: tenant }),
    );
    const verify = (tenantId: string | null) =>
      verifyAuditChain((after, limit) =>
        uow.read((repos) => repos.auditEvents.chain(tenantId, after, limit)),
      );
    expect(await verify(tenant)).toMatchObject({ checked: 4, firstBreak: null, lastSeq: 4 });
    expect(await verify(null)).toMatchObject({ checked: 1, firstBreak: null });

    // Re-chained with the personal-data commitment (Migration20261206180000): erasing an old event's
    // personal fields, as erasure does, leaves the chain whole; editing one does not.
    const connection = orm.em.getConnection();
    await connection.execute(
      `update audit_event set details = details - 'email', personal_salt = null where tenant_id = ? and seq = 2`,
      [tenant],
    );
    expect(await verify(tenant)).toMatchObject({ checked: 4, firstBreak: null });
    await connection.execute(
      `update audit_event set details = details || '{"email":"forged@example.com"}' where tenant_id = ? and seq = 2`,
      [tenant],
    );
    expect((await verify(tenant)).firstBreak).toMatchObject({ seq: 2, reason: 'hash_mismatch' });
  });
});
