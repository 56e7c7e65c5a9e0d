import { describe, expect, it } from 'vitest';
import {
  createEnforcer,
  type Enforcer,
  EnforcerError,
  memoryStorage,
  type SignedInSnapshot,
  type StorageAdapter,
  unwrap,
} from '../src/index';
import { signedIn, until, useMockEnforcer } from './harness';

const h = useMockEnforcer();

describe('session state', () => {
  it('getSnapshot is stable until something changes; listeners fire on changes', async () => {
    const enforcer = h.sdk();
    const first = enforcer.getSnapshot();
    expect(first).toEqual({ status: 'signed_out' });
    expect(enforcer.getSnapshot()).toBe(first);
    const seen: string[] = [];
    const unsubscribe = enforcer.subscribe(() => seen.push(enforcer.getSnapshot().status));
    await signedIn(h, enforcer);
    const signed = enforcer.getSnapshot();
    expect(signed.status).toBe('signed_in');
    await until(() => {
      const s = enforcer.getSnapshot();
      return s.status === 'signed_in' && s.permissions.status === 'ready';
    });
    const ready = enforcer.getSnapshot();
    expect(enforcer.getSnapshot()).toBe(ready);
    expect(seen).toContain('signed_in');
    await enforcer.logout();
    expect(enforcer.getSnapshot()).toEqual({ status: 'signed_out' });
    expect(seen.at(-1)).toBe('signed_out');
    unsubscribe();
    const count = seen.length;
    await signedIn(h, enforcer);
    expect(seen.length).toBe(count);
  });

  it('the signed-in snapshot carries account, person, tenant, roles, groups and expiry', async () => {
    const enforcer = h.sdk();
    const tenant = h.mock.seed.tenant({ name: 'Snapshot Co' });
    h.mock.seed.account({
      tenant: tenant.id,
      email: 'snap@example.com',
      role: 'admin',
      groups: ['verified'],
    });
    await signedIn(h, enforcer, 'snap@example.com', tenant.code);
    const s = enforcer.getSnapshot();
    if (s.status !== 'signed_in') throw new Error('expected signed_in');
    expect(s.account.email).toBe('snap@example.com');
    expect(s.person.email_verified).toBe(true);
    expect(s.tenant.code).toBe(tenant.code);
    expect(s.roles).toEqual(['admin']);
    expect(s.groups).toEqual(['verified']);
    expect(s.amr).toEqual(['otp']);
    expect(s.expiresAt).toBe(h.clock.now() + 900_000);
  });

  it('an asynchronous storage starts as loading, then restores the session', async () => {
    const inner = memoryStorage();
    const slow: StorageAdapter = {
      get: async (key) => inner.get(key),
      set: async (key, value) => inner.set(key, value),
      remove: async (key) => inner.remove(key),
    };
    const storageKey = h.key();
    const first = h.sdk({ storage: slow, storageKey });
    await first.ready();
    await signedIn(h, first);
    const second = h.sdk({ storage: slow, storageKey });
    expect(second.getSnapshot().status).toBe('loading');
    expect((await second.ready()).status).toBe('signed_in');
    expect((await second.api.auth.me()).status).toBe(200);
  });

  it('localStorage and sessionStorage adapters persist the session (looked up lazily)', async () => {
    const backing = new Map<string, string>();
    const fake = {
      getItem: (k: string) => backing.get(k) ?? null,
      setItem: (k: string, v: string) => void backing.set(k, v),
      removeItem: (k: string) => void backing.delete(k),
    };
    const g = globalThis as Record<string, unknown>;
    g.localStorage = fake;
    g.sessionStorage = fake;
    try {
      for (const storage of ['local', 'session'] as const) {
        const storageKey = h.key();
        const a = h.sdk({ storage, storageKey });
        await signedIn(h, a);
        expect(backing.has(storageKey)).toBe(true);
        const b = h.sdk({ storage, storageKey });
        expect(b.getSnapshot().status).toBe('signed_in');
        await b.logout();
        expect(backing.has(storageKey)).toBe(false);
      }
    } finally {
      delete g.localStorage;
      delete g.sessionStorage;
    }
  });
});

describe('flows', () => {
  it('problems become EnforcerErrors with code, status and field errors', async () => {
    const enforcer = h.sdk();
    const tenant = h.mock.seed.tenant();
    await enforcer.requestOtp('x@example.com', { tenantCode: tenant.code });
    const wrong = await enforcer
      .signInWithOtp({ email: 'x@example.com', otp: '000000', tenantCode: tenant.code })
      .catch((e: unknown) => e);
    // (a one-in-a-million chance that 000000 is the code is accepted)
    if (wrong instanceof EnforcerError) {
      expect(wrong.code).toBe('invalid_otp');
      expect(wrong.status).toBe(401);
    }
    const invalid = await enforcer.requestOtp('not-an-email').catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(EnforcerError);
    expect(invalid).toMatchObject({ code: 'validation_failed', status: 400 });
    expect((invalid as EnforcerError).errors.map((e) => e.path)).toEqual(['body.email']);
    await expect(unwrap(enforcer.api.auth.me())).rejects.toMatchObject({
      code: 'unauthenticated',
      status: 401,
    });
    await expect(enforcer.signInWithOtp({ email: 'x@example.com', otp: '123456' })).rejects.toMatchObject({
      code: 'bad_request',
    });
  });

  it('register, log in, join a tenant, list and switch tenants, accept an invite', async () => {
    const home = h.mock.seed.tenant({ name: 'Home' });
    const club = h.mock.seed.tenant({ name: 'Club' });
    const closed = h.mock.seed.tenant({ name: 'Closed', allowSignup: false });
    const enforcer = h.sdk({ tenantCode: home.code });
    expect(await enforcer.register({ email: 'flow@example.com' })).toEqual({
      accepted: true,
      next: 'otp_request',
    });
    const otp = await enforcer.requestOtp('flow@example.com');
    await enforcer.signInWithOtp({ email: 'flow@example.com', otp: otp.code! });

    h.clock.advance(1); // memberships are listed oldest first
    const joined = await enforcer.tenants.join(club.code);
    expect(joined.tenant.id).toBe(club.id);
    await expect(enforcer.tenants.join(club.code)).rejects.toMatchObject({ code: 'already_member' });
    await expect(enforcer.tenants.join(closed.code)).rejects.toMatchObject({ code: 'signup_disabled' });

    const list = await enforcer.tenants.list();
    expect(list.map((m) => [m.tenant.id, m.current])).toEqual([
      [home.id, false],
      [club.id, true],
    ]);
    const back = await enforcer.tenants.switch(home.id);
    expect(back.tenant.id).toBe(home.id);
    await expect(enforcer.tenants.switch(closed.id)).rejects.toMatchObject({
      code: 'not_a_member',
      status: 403,
    });

    const invite = h.mock.seed.invite({ tenant: closed.id, email: 'flow@example.com', role: 'admin' });
    const accepted = await enforcer.acceptInvite(invite.code);
    expect(accepted.tenant.id).toBe(closed.id);
    expect(accepted.account.role).toBe('admin');
    await expect(enforcer.acceptInvite(invite.code)).rejects.toMatchObject({ code: 'invite_invalid' });
  });

  it('logout everywhere ends every session of the person', async () => {
    const tenant = h.mock.seed.tenant();
    const a = h.sdk();
    const b = h.sdk();
    await signedIn(h, a, 'everywhere@example.com', tenant.code);
    await signedIn(h, b, 'everywhere@example.com', tenant.code);
    const bToken = await b.getAccessToken();
    await a.logout({ everywhere: true });
    const me = await fetch(`${h.mock.baseUrl}/api/v1/enforcer/auth/me`, {
      headers: { authorization: `Bearer ${bToken}` },
    });
    expect(me.status).toBe(401);
    // b finds out on its next call: the refresh is refused and it signs out.
    expect((await b.api.auth.me()).status).toBe(401);
    await until(() => b.getSnapshot().status === 'signed_out');
  });

  it('sessions: lists every session of the person, ends one, ends the others, and ending its own signs out', async () => {
    const tenant = h.mock.seed.tenant();
    const { tabs } = h.tabs(2);
    const [a, aTab] = tabs as [Enforcer, Enforcer];
    const b = h.sdk({ permissions: false });
    const c = h.sdk({ permissions: false });
    await signedIn(h, a, 'sessions@example.com', tenant.code);
    await signedIn(h, b, 'sessions@example.com', tenant.code);
    await signedIn(h, c, 'sessions@example.com', tenant.code);
    await until(() => aTab.getSnapshot().status === 'signed_in');
    const sid = (enforcer: Enforcer) => (enforcer.getSnapshot() as SignedInSnapshot).sessionId;
    const idOf = new Map([a, b, c].map((e) => [e, sid(e)]));
    const ids = (enforcer: Enforcer) => idOf.get(enforcer)!;

    const list = await a.sessions.list();
    expect(list.map((s) => s.id).sort()).toEqual([ids(a), ids(b), ids(c)].sort());
    expect(list.filter((s) => s.current).map((s) => s.id)).toEqual([ids(a)]);
    expect(list[0]).toMatchObject({ tenant_id: tenant.id, amr: ['otp'], device: expect.any(String) });

    await a.sessions.end(ids(b));
    expect((await b.api.auth.me()).status).toBe(401);
    await until(() => b.getSnapshot().status === 'signed_out');
    await expect(a.sessions.end(ids(b))).rejects.toMatchObject({ code: 'not_found', status: 404 });
    expect(a.getSnapshot().status).toBe('signed_in');

    expect(await a.sessions.endOthers()).toBe(1);
    expect((await c.api.auth.me()).status).toBe(401);
    expect((await a.sessions.list()).map((s) => s.id)).toEqual([ids(a)]);

    // Its own session: signed out here and in the other tab.
    await a.sessions.end(ids(a));
    expect(a.getSnapshot().status).toBe('signed_out');
    await until(() => aTab.getSnapshot().status === 'signed_out');
    await expect(a.sessions.list()).rejects.toMatchObject({ status: 401 });
  });

  it('passkeys load on demand and are not available yet', async () => {
    const enforcer = h.sdk();
    const passkeys = await enforcer.passkeys();
    expect(passkeys.isSupported()).toBe(false);
    await expect(passkeys.signIn()).rejects.toMatchObject({ code: 'not_supported' });
  });
});

describe('can()', () => {
  const ready = (enforcer: ReturnType<typeof h.sdk>) =>
    until(() => {
      const s = enforcer.getSnapshot();
      return s.status === 'signed_in' && s.permissions.status === 'ready';
    });

  it('is false until permissions load, then follows groups, policy and tenant', async () => {
    const tenant = h.mock.seed.tenant({ name: 'Gate' });
    const other = h.mock.seed.tenant({ name: 'Other' });
    h.mock.seed.account({ tenant: tenant.id, email: 'gate-owner@example.com', role: 'owner' });
    const account = h.mock.seed.account({ tenant: tenant.id, email: 'gate@example.com' });
    h.mock.seed.account({ tenant: other.id, email: 'gate@example.com', groups: ['verified'] });
    const enforcer = h.sdk();
    expect(enforcer.can('tenants.read')).toBe(false);
    await signedIn(h, enforcer, 'gate@example.com', tenant.code);
    await ready(enforcer);
    expect(enforcer.can('tenants.read')).toBe(true);
    expect(enforcer.can('transfers.create')).toBe(false);
    // Own account only: the default policy's rule.
    const own = { type: 'account', attributes: { id: account.id, tenant_id: tenant.id } };
    const foreign = { type: 'account', attributes: { id: 'someone-else', tenant_id: tenant.id } };
    expect(enforcer.can('accounts.read', own)).toBe(true);
    expect(enforcer.can('accounts.read', foreign)).toBe(false);

    // The KYC gate: membership of `verified` opens transfers.
    h.mock.seed.addToGroup({ account: account.id, group: 'verified' });
    await enforcer.reloadPermissions();
    expect(enforcer.can('transfers.create')).toBe(true);

    // A policy change: a deny rule for transfers over the weekend… here, always.
    const key = h.mock.seed.apiKey({ tenant: tenant.id, role: 'owner' });
    const policy = await fetch(`${h.mock.baseUrl}/api/v1/enforcer/policy`, {
      headers: { 'x-api-key': key.key },
    });
    const { document } = (await policy.json()) as {
      document: Record<string, unknown> & { rules: unknown[] };
    };
    const put = await fetch(`${h.mock.baseUrl}/api/v1/enforcer/policy`, {
      method: 'PUT',
      headers: { 'x-api-key': key.key, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...document,
        rules: [...document.rules, { id: 'no-transfers', effect: 'deny', actions: ['transfers.*'] }],
      }),
    });
    expect(put.status).toBe(200);
    await enforcer.reloadPermissions();
    expect(enforcer.can('transfers.create')).toBe(false);

    // Another tenant: another policy and another account.
    await enforcer.tenants.switch(other.id);
    expect(enforcer.can('transfers.create')).toBe(false); // not loaded yet for this account
    await ready(enforcer);
    expect(enforcer.can('transfers.create')).toBe(true);
    await enforcer.logout();
    expect(enforcer.can('tenants.read')).toBe(false);
  });

  it('SSR: an instance per request, nothing shared', () => {
    const a = createEnforcer({ baseUrl: 'http://a.test', locks: null, broadcast: null });
    const b = createEnforcer({ baseUrl: 'http://b.test', locks: null, broadcast: null });
    expect(a.getSnapshot()).toEqual(b.getSnapshot());
    a.destroy();
    b.destroy();
  });
});
