import { describe, expect, it } from 'vitest';
import { MemoryDatabase } from './database.js';

// No test here reads policies, grants or accounts: any use fails loudly.
const unused = new Proxy({} as never, {
  get: () => () => Promise.reject(new Error('not used in this test')),
});

const db = () =>
  new MemoryDatabase({
    now: () => new Date(0),
    kept: () => ({
      policies: unused,
      grants: unused,
      members: unused,
      accounts: unused,
      accountSessions: unused,
      persons: unused,
      identities: unused,
      sessions: unused,
      codes: unused,
    }),
  });

describe('the memory unit of work', () => {
  it('commits what the work wrote when it returns', async () => {
    const store = db();
    await store.transaction(async (repos) => repos.audit.record({ action: 'a', actor: { type: 'system' } }));
    expect(store.tables.audit.map((e) => e.action)).toEqual(['a']);
  });

  it('leaves nothing behind when the work throws, as a rolled-back transaction', async () => {
    const store = db();
    await store.transaction(async (repos) =>
      repos.audit.record({ action: 'kept', actor: { type: 'system' } }),
    );
    await expect(
      store.transaction(async (repos) => {
        repos.audit.record({ action: 'lost', actor: { type: 'system' } });
        throw new Error('halfway');
      }),
    ).rejects.toThrow('halfway');
    expect(store.tables.audit.map((e) => e.action)).toEqual(['kept']);
  });

  it('runs units of work one at a time, so a read never sees half a transaction', async () => {
    const store = db();
    const seen: number[] = [];
    const slow = store.transaction(async (repos) => {
      repos.audit.record({ action: '1', actor: { type: 'system' } });
      await new Promise((resolve) => setTimeout(resolve, 10));
      repos.audit.record({ action: '2', actor: { type: 'system' } });
    });
    const read = store.read(async () => seen.push(store.tables.audit.length));
    await Promise.all([slow, read]);
    expect(seen).toEqual([2]);
  });

  it('scrubs secret-looking details from audit events', async () => {
    const store = db();
    await store.transaction(async (repos) =>
      repos.audit.record({
        action: 'a',
        actor: { type: 'system' },
        details: { password: 'x', kid: 'k', n: 1 },
      }),
    );
    expect(store.tables.audit[0]!.details).toEqual({ kid: 'k', n: 1 });
  });
});
