import { accountStatuses } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import { insertAccount } from '../stores/memory/accounts.js';
import { memoryFixture } from '../testing/memory-fixture.js';
import { admitAccount, listedStatuses, statusChange, statusRefusal } from './status.js';

describe('statusRefusal', () => {
  it('lets only active in, with one code per other status', () => {
    expect(
      Object.fromEntries(accountStatuses.map((status) => [status, statusRefusal({ status })?.code ?? null])),
    ).toEqual({
      active: null,
      locked: 'account_locked',
      banned: 'account_banned',
      deactivated: 'account_inactive',
      deleted: 'account_deleted',
    });
  });
});

describe('listedStatuses', () => {
  it('hides deleted accounts unless asked, and narrows by status and active', () => {
    expect(listedStatuses({})).toEqual(['active', 'locked', 'banned', 'deactivated']);
    expect(listedStatuses({ include: 'deleted' })).toBeUndefined();
    expect(listedStatuses({ status: 'deleted' })).toEqual(['deleted']);
    expect(listedStatuses({ active: true })).toEqual(['active']);
    expect(listedStatuses({ active: false })).toEqual(['locked', 'banned', 'deactivated']);
    expect(listedStatuses({ active: false, include: 'deleted' })).toEqual([
      'locked',
      'banned',
      'deactivated',
      'deleted',
    ]);
    expect(listedStatuses({ status: 'banned', active: true })).toEqual([]);
  });
});

describe('admitAccount', () => {
  const setup = async (lockedUntil: Date | null) => {
    const f = memoryFixture();
    const tenantId = f.seedTenant({ authProviders: ['email_otp'] });
    const row = insertAccount(f.db, { personId: crypto.randomUUID(), tenantId, role: 'member' });
    await f.db.transaction((repos) =>
      repos.accounts.update(row.id, {
        status: statusChange('locked', {
          at: f.clock.now(),
          by: { type: 'api_key', id: crypto.randomUUID() },
          reason: 'cool-off',
          lockedUntil,
        }),
      }),
    );
    const admit = () =>
      f.db.transaction(async (repos) => {
        const account = await repos.accounts.find(tenantId, row.id);
        const { refusal } = await admitAccount(repos, account!, f.clock.now());
        return refusal?.code ?? 'admitted';
      });
    return { ...f, row, admit };
  };

  it('keeps a lock until its `until`, then lifts it once: active, grant bumped, audited', async () => {
    const { advance, admit, row, db } = await setup(new Date(Date.UTC(2030, 0, 1, 0, 10)));
    expect(await admit()).toBe('account_locked');
    advance(599);
    expect(await admit()).toBe('account_locked');
    const version = row.grantVersion;
    advance(1);
    expect(await admit()).toBe('admitted');
    expect(row.status).toMatchObject({ status: 'active', statusChangedBy: null, lockedUntil: null });
    expect(row.active).toBe(true);
    expect(row.grantVersion).toBe(version + 1);
    expect(await admit()).toBe('admitted');
    expect(row.grantVersion).toBe(version + 1);
    const lapsed = db.tables.audit.filter((e) => e.action === 'account.lock.expired');
    expect(lapsed).toHaveLength(1);
  });

  it('never lifts a lock without `until`', async () => {
    const { advance, admit } = await setup(null);
    advance(10 * 365 * 86_400);
    expect(await admit()).toBe('account_locked');
  });
});
