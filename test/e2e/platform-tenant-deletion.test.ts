// Tenant deletion by the platform operator (#15), through HTTP on a real server and PostgreSQL: DELETE marks
// the tenant pending_deletion (refused like a suspension), PATCH active cancels it, and once the grace period
// has passed the job deletes every row of the tenant and the persons who belonged to no other tenant.
import { ManualClock } from '@enforcer/server/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';
import { platformKeys } from './platform-fixtures.js';

const keys = platformKeys();
const clock = new ManualClock(Date.now());
const server = await startServer({ clock, env: keys.env });
const op = { apiKey: keys.operator.key };
const sql = new pg.Client({ connectionString: server.db.url });
await sql.connect();
afterAll(() => sql.end());

const DAY = 86_400; // ManualClock.advance takes seconds.

const rowsOf = async (table: string, column: string, id: string) =>
  (await sql.query<{ n: number }>(`select count(*)::int as n from "${table}" where "${column}" = $1`, [id]))
    .rows[0]!.n;

/** A second account of the same person, in another tenant (a copy of the account row, new id and tenant). */
async function copyAccountInto(accountId: string, tenantId: string): Promise<void> {
  const columns = (
    await sql.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_name = 'account' order by ordinal_position`,
    )
  ).rows.map((r) => r.column_name);
  const values = columns.map((c) =>
    c === 'id' ? 'gen_random_uuid()' : c === 'tenant_id' ? '$1::uuid' : `"${c}"`,
  );
  await sql.query(
    `insert into "account" (${columns.map((c) => `"${c}"`).join(', ')}) select ${values.join(', ')} from "account" where "id" = $2`,
    [tenantId, accountId],
  );
}

describe('DELETE /platform/tenants/{id}', () => {
  it('needs the delete scope, and refuses tenant credentials', async () => {
    const tenant = await seedTenant(server, 'Scoped Co');
    const path = `/platform/tenants/${tenant.tenant.id}`;
    expectProblem(await server.api('DELETE', path, { apiKey: keys.reader.key }), 403, 'forbidden');
    expectProblem(await server.api('DELETE', path, { apiKey: tenant.apiKey }), 403, 'credential_not_allowed');
    expectProblem(
      await server.api('DELETE', path, { token: tenant.owner.token }),
      403,
      'credential_not_allowed',
    );
    expectProblem(
      await server.api('DELETE', '/platform/tenants/00000000-0000-4000-8000-000000000000', op),
      404,
      'not_found',
    );
    expect(expectOk(await server.api('GET', path, op)).status).toBe('active');
  });

  it('refuses the tenant during the grace, can be cancelled, and deletes everything of it after', async () => {
    const doomed = await seedTenant(server, 'Doomed Inc');
    const keeper = await seedTenant(server, 'Keeper Ltd');
    // The member also belongs to the keeper: that person must survive the deletion.
    await copyAccountInto(doomed.member.accountId, keeper.tenant.id);
    const path = `/platform/tenants/${doomed.tenant.id}`;

    const scheduled = expectOk(await server.api('DELETE', path, op), 202);
    expect(scheduled).toMatchObject({ status: 'pending_deletion', deletion_due_at: expect.any(String) });
    expect(new Date(scheduled.deletion_due_at).getTime()).toBe(clock.now().getTime() + 30 * DAY * 1000);
    // Refused like a suspension meanwhile.
    expectProblem(
      await server.api('GET', '/auth/me', { token: doomed.member.token }),
      403,
      'tenant_suspended',
    );
    expectProblem(await server.api('GET', '/accounts', { apiKey: doomed.apiKey }), 403, 'tenant_suspended');
    // Asking again changes nothing.
    expect(expectOk(await server.api('DELETE', path, op), 202).deletion_due_at).toBe(
      scheduled.deletion_due_at,
    );

    // Cancelled by PATCH active: everything works again.
    expect(expectOk(await server.api('PATCH', path, { ...op, body: { status: 'active' } }))).toMatchObject({
      status: 'active',
      deletion_due_at: null,
    });
    expectOk(await server.api('GET', '/auth/me', { token: doomed.member.token }));
    clock.advance(31 * DAY);
    expect((await server.housekeeping()).tenantsDeleted).toBe(0);
    expect(expectOk(await server.api('GET', path, op)).status).toBe('active');

    // Scheduled again: not deleted before the grace ends, deleted after.
    expectOk(await server.api('DELETE', path, op), 202);
    clock.advance(29 * DAY);
    expect((await server.housekeeping()).tenantsDeleted).toBe(0);
    expect(expectOk(await server.api('GET', path, op)).status).toBe('pending_deletion');
    const personIds = (
      await sql.query<{ person_id: string }>(`select "person_id" from "account" where "tenant_id" = $1`, [
        doomed.tenant.id,
      ])
    ).rows.map((r) => r.person_id);
    expect(personIds).toHaveLength(3);
    const sharedPerson = doomed.member.personId;
    clock.advance(2 * DAY);
    expect((await server.housekeeping()).tenantsDeleted).toBe(1);

    expectProblem(await server.api('GET', path, op), 404, 'not_found');
    for (const table of [
      'account',
      'session',
      'tenant_group',
      'group_membership',
      'api_key',
      'invite',
      'audit_event',
      'auth_throttle',
      'revocation_event',
      'usage_counter',
      'otp_challenge',
    ]) {
      expect(await rowsOf(table, 'tenant_id', doomed.tenant.id), table).toBe(0);
    }
    // Persons who only belonged to it are gone; the one with an account elsewhere stays, with that account.
    for (const id of personIds.filter((p) => p !== sharedPerson))
      expect(await rowsOf('person', 'id', id)).toBe(0);
    expect(await rowsOf('person', 'id', sharedPerson)).toBe(1);
    expect(await rowsOf('account', 'person_id', sharedPerson)).toBe(1);
    // The keeper is untouched.
    expectOk(await server.api('GET', '/accounts', { apiKey: keeper.apiKey }));
    // The deletion is audited without the tenant (whose log went with it), naming only its id and code.
    const events = await server.db.auditEvents({ action: 'tenants.deleted', targetId: doomed.tenant.id });
    expect(events.map((e) => [e.tenantId ?? null, e.actorType, e.details])).toEqual([
      [null, 'system', { tenant_code: doomed.tenant.code, persons_erased: 2 }],
    ]);
  });
});
