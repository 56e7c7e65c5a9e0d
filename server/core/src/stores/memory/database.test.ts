import { defaultPolicy } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import { MemoryDatabase } from './database.js';

const db = () => new MemoryDatabase({ now: () => new Date(0) });

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

describe('the memory policy store', () => {
  const tenantOf = (store: MemoryDatabase) =>
    store.transaction((repos) =>
      repos.tenants.create({
        code: 'AAAA-BBBB-CCCC',
        name: 'Acme',
        logoUrl: null,
        theme: {},
        authProviders: ['email_otp'],
        allowSignup: true,
        policy: defaultPolicy(),
      }),
    );
  const withRole = (name: string) => {
    const document = defaultPolicy();
    document.roles[name] = { permissions: ['things.read'] };
    return document;
  };

  it('forgets a compile of a version that a failed unit of work took back', async () => {
    const store = db();
    const { id } = await tenantOf(store);
    await expect(
      store.transaction(async (repos) => {
        await repos.policies.write(id, withRole('lost'));
        expect((await repos.policies.forTenant(id)).effective.roles.lost).toBeDefined();
        throw new Error('halfway');
      }),
    ).rejects.toThrow('halfway');
    // The same version number again, for another document.
    await store.transaction((repos) => repos.policies.write(id, withRole('kept')));
    const policy = await store.read((repos) => repos.policies.forTenant(id));
    expect(Object.keys(policy.effective.roles)).toContain('kept');
    expect(Object.keys(policy.effective.roles)).not.toContain('lost');
  });
});

describe('the memory session store', () => {
  it('is one of the tables: a failed unit of work leaves the sessions it ended live, and no feed event', async () => {
    const store = db();
    const at = new Date(0);
    const session = {
      id: crypto.randomUUID(),
      accountId: crypto.randomUUID(),
      personId: crypto.randomUUID(),
      tenantId: crypto.randomUUID(),
      amr: ['otp'],
      mfaAt: null,
      ip: null,
      userAgent: null,
      createdAt: at,
      lastUsedAt: at,
      absoluteExpiresAt: new Date(86_400_000),
      revokedAt: null,
      revokeReason: null,
    };
    await store.sessions.insertSession(session, {
      id: crypto.randomUUID(),
      sessionId: session.id,
      tokenHash: 'hash',
      parentId: null,
      replacedById: null,
      usedAt: null,
      createdAt: at,
      expiresAt: new Date(86_400_000),
    });
    await expect(
      store.transaction(async (repos) => {
        expect(await repos.accountSessions.endAll(session.accountId, 'deactivated')).toEqual([session.id]);
        throw new Error('halfway');
      }),
    ).rejects.toThrow('halfway');
    expect((await store.sessions.findSessionByTokenHash('hash'))?.revokedAt).toBeNull();
    expect(store.tables.revocationEvents).toEqual([]);
    await store.transaction((repos) => repos.accountSessions.endAll(session.accountId, 'deactivated'));
    expect((await store.sessions.findSession(session.id))?.revokeReason).toBe('deactivated');
    expect(store.tables.revocationEvents.map((e) => e.kind)).toEqual(['session_revoked']);
  });
});
