// Account lifecycle over HTTP (#14): lock (for a while or until lifted), ban, soft delete and restore, and
// the second-factor reset; each ends the account's sessions, bumps its grant version, is audited, and
// sign-in (login, tenant switch) is refused with its own code. Refusals: self, rank, last manager, status.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { requestCode } from './auth-fixtures.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;
/** A second tenant anyone may join: the people of `t` switch from it into `t`. */
let other: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
  other = await seedTenant(server, 'Other Co');
});

/** A login with an email code into `tenantCode`: the response (200 or a problem). */
async function login(email: string, tenantCode = t.tenant.code) {
  const otp = await requestCode(api, email, tenantCode);
  return api('POST', '/auth/login', { body: { provider: 'email_otp', email, otp, tenant_code: tenantCode } });
}

const grantVersion = async (accountId: string) =>
  (await server.db.records('accounts').one(accountId)).grantVersion;
const liveSessions = async (accountId: string) =>
  (await server.db.records('sessions').find({ account: accountId })).filter((s) => s.revokedAt === null);

describe('POST /accounts/{id}/lock and /unlock', () => {
  it('locks: sessions end, grant version bumps, login and switching in are refused (account_locked); unlock lifts it', async () => {
    const m = await t.addAccount('member');
    // The person also signs in to the other tenant (its sign-up is open), to switch back into `t` later.
    const elsewhere = expectOk(await login(m.email, other.tenant.code));
    const before = await grantVersion(m.accountId);
    const locked = expectOk(
      await api('POST', `/accounts/${m.accountId}/lock`, {
        token: t.admin.token,
        body: { reason: 'suspicious activity' },
      }),
    );
    expect(locked).toMatchObject({
      id: m.accountId,
      active: false,
      status: 'locked',
      status_reason: 'suspicious activity',
      status_changed_by: { type: 'account', id: t.admin.accountId },
      locked_until: null,
    });
    expect(Date.parse(locked.status_changed_at)).not.toBeNaN();
    expect(await grantVersion(m.accountId)).toBe(before + 1);
    expect(await liveSessions(m.accountId)).toEqual([]);
    expectProblem(await api('GET', '/auth/me', { token: m.token }), 401, 'token_invalid');
    expectProblem(await login(m.email), 403, 'account_locked');
    expectProblem(
      await api('POST', '/auth/tenant/switch', {
        token: elsewhere.token,
        body: { tenant_id: t.tenant.id },
      }),
      403,
      'account_locked',
    );
    // The status filter finds it; `active=false` too.
    const lockedIds = expectOk(await api('GET', '/accounts?status=locked', { apiKey: t.apiKey })).data.map(
      (a: { id: string }) => a.id,
    );
    expect(lockedIds).toEqual([m.accountId]);
    // Deactivating or reactivating a locked account is a status conflict, not a way round the lock.
    expectProblem(
      await api('PUT', `/accounts/${m.accountId}/active`, { apiKey: t.apiKey, body: { active: true } }),
      409,
      'status_conflict',
    );

    const unlocked = expectOk(await api('POST', `/accounts/${m.accountId}/unlock`, { token: t.admin.token }));
    expect(unlocked).toEqual({ was_locked: false, was_throttled: false, status_lock_lifted: true });
    expect(expectOk(await api('GET', `/accounts/${m.accountId}`, { apiKey: t.apiKey }))).toMatchObject({
      status: 'active',
      active: true,
      status_reason: null,
      locked_until: null,
    });
    expect(await grantVersion(m.accountId)).toBe(before + 2);
    expectOk(await login(m.email));
    const [event] = await server.db.auditEvents({ action: 'account.locked', targetId: m.accountId });
    expect(event).toMatchObject({
      actorType: 'account',
      actorId: t.admin.accountId,
      details: { from: 'active', reason: 'suspicious activity', sessions_ended: 1 },
    });
    const [lifted] = await server.db.auditEvents({ action: 'account.unlocked', targetId: m.accountId });
    expect(lifted?.details).toMatchObject({ status_lock_lifted: true });
  });

  it('a lock with `until` lapses by itself: the first sign-in after it lifts it (audited)', async () => {
    const m = await t.addAccount('member');
    // Long enough for the lock and the refused sign-in to happen before it lapses on a loaded machine.
    const until = new Date(Date.now() + 3_000);
    const locked = expectOk(
      await api('POST', `/accounts/${m.accountId}/lock`, {
        apiKey: t.apiKey,
        body: { reason: 'cool-off', until: until.toISOString() },
      }),
    );
    expect(locked).toMatchObject({
      status: 'locked',
      locked_until: until.toISOString(),
      status_changed_by: { type: 'api_key', id: t.apiKeyId },
    });
    expectProblem(await login(m.email), 403, 'account_locked');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, until.getTime() - Date.now()) + 200));
    expectOk(await login(m.email));
    expect(expectOk(await api('GET', `/accounts/${m.accountId}`, { apiKey: t.apiKey }))).toMatchObject({
      status: 'active',
      status_changed_by: null,
      locked_until: null,
    });
    const [expired] = await server.db.auditEvents({ action: 'account.lock.expired', targetId: m.accountId });
    expect(expired?.details).toMatchObject({ locked_until: until.toISOString(), reason: 'cool-off' });
  });

  it('refuses: yourself, someone who outranks you, the last manager, a past `until`, bad bodies, other statuses', async () => {
    const lock = (
      id: string,
      options: { token?: string; apiKey?: string },
      body: unknown = { reason: 'r' },
    ) => api('POST', `/accounts/${id}/lock`, { ...options, body });
    expectProblem(await lock(t.admin.accountId, { token: t.admin.token }), 403, 'self_target');
    expectProblem(await lock(t.owner.accountId, { token: t.admin.token }), 403, 'forbidden');
    expectProblem(await lock(t.owner.accountId, { apiKey: t.apiKey }), 403, 'forbidden');
    expectProblem(await lock(t.admin.accountId, { token: t.member.token }), 403, 'forbidden');
    expectProblem(await lock(crypto.randomUUID(), { apiKey: t.apiKey }), 404, 'not_found');
    // An owner's API key reaches the owner, but the tenant keeps an active manager.
    const ownerKey = expectOk(
      await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'owner-key', role: 'owner' } }),
      201,
    ).key;
    expectProblem(await lock(t.owner.accountId, { apiKey: ownerKey }), 409, 'last_admin');
    const past = new Date(Date.now() - 60_000).toISOString();
    const m = await t.addAccount('member');
    expectFieldError(
      expectProblem(
        await lock(m.accountId, { apiKey: t.apiKey }, { reason: 'r', until: past }),
        400,
        'validation_failed',
      ),
      'body.until',
    );
    for (const body of [
      {},
      { reason: '' },
      { reason: 'x'.repeat(501) },
      { reason: 'r', extra: 1 },
      { reason: 'r', until: 'soon' },
    ]) {
      expectProblem(await lock(m.accountId, { apiKey: t.apiKey }, body), 400, 'validation_failed');
    }
    expect((await server.db.records('accounts').one(m.accountId)).status).toBe('active');
    expectOk(
      await api('POST', `/accounts/${m.accountId}/ban`, { apiKey: t.apiKey, body: { reason: 'spam' } }),
    );
    expectProblem(await lock(m.accountId, { apiKey: t.apiKey }), 409, 'status_conflict');
  });
});

describe('POST /accounts/{id}/ban and /unban', () => {
  it('bans: sessions end, login refused with account_banned, the old refresh token is dead; unban lets them back', async () => {
    const m = await t.addAccount('member');
    const session = expectOk(await login(m.email));
    const banned = expectOk(
      await api('POST', `/accounts/${m.accountId}/ban`, { token: t.owner.token, body: { reason: 'fraud' } }),
    );
    expect(banned).toMatchObject({ status: 'banned', status_reason: 'fraud', active: false });
    expect(await liveSessions(m.accountId)).toEqual([]);
    expectProblem(await login(m.email), 403, 'account_banned');
    const refresh = await api('POST', '/auth/refresh', { body: { refresh_token: session.refresh_token } });
    expect(refresh.status).toBe(401);
    // Banning again answers unchanged; locking, reactivating or restoring a banned account is a conflict.
    expect(
      expectOk(
        await api('POST', `/accounts/${m.accountId}/ban`, { apiKey: t.apiKey, body: { reason: 'again' } }),
      ).status_reason,
    ).toBe('fraud');
    expectProblem(
      await api('POST', `/accounts/${m.accountId}/restore`, { apiKey: t.apiKey }),
      409,
      'status_conflict',
    );
    // Unlock lifts throttles and admin locks, not a ban.
    expect(
      expectOk(await api('POST', `/accounts/${m.accountId}/unlock`, { apiKey: t.apiKey })),
    ).toMatchObject({
      status_lock_lifted: false,
    });
    expect((await server.db.records('accounts').one(m.accountId)).status).toBe('banned');

    expect(expectOk(await api('POST', `/accounts/${m.accountId}/unban`, { apiKey: t.apiKey })).status).toBe(
      'active',
    );
    expectOk(await login(m.email));
    // Unbanning an active account answers unchanged.
    expect(expectOk(await api('POST', `/accounts/${m.accountId}/unban`, { apiKey: t.apiKey })).status).toBe(
      'active',
    );
    const actions = (
      await server.db.auditEvents({ targetId: m.accountId }, { orderBy: { createdAt: 'asc' } })
    ).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['account.banned', 'account.unbanned']));
    expect(actions.filter((a) => a === 'account.banned')).toHaveLength(1);
  });

  it('refuses yourself, outranking accounts and members', async () => {
    const ban = (id: string, token: string) =>
      api('POST', `/accounts/${id}/ban`, { token, body: { reason: 'r' } });
    expectProblem(await ban(t.owner.accountId, t.owner.token), 403, 'self_target');
    expectProblem(await ban(t.owner.accountId, t.admin.token), 403, 'forbidden');
    expectProblem(await ban(t.admin.accountId, t.member.token), 403, 'forbidden');
    expectProblem(
      await api('POST', `/accounts/${t.admin.accountId}/unban`, { token: t.member.token }),
      403,
      'forbidden',
    );
  });
});

describe('DELETE /accounts/{id} and POST /accounts/{id}/restore', () => {
  it('soft-deletes: hidden from the list unless include=deleted, login refused, data kept; restore brings it back', async () => {
    const m = await t.addAccount('member');
    expectOk(
      await api('POST', `/groups/${await verifiedGroupId()}/members`, {
        apiKey: t.apiKey,
        body: { account_id: m.accountId },
      }),
      201,
    );
    const deleted = expectOk(await api('DELETE', `/accounts/${m.accountId}`, { token: t.admin.token }));
    expect(deleted).toMatchObject({ status: 'deleted', active: false, groups: ['verified'], role: 'member' });
    expect(await liveSessions(m.accountId)).toEqual([]);
    expectProblem(await api('GET', '/auth/me', { token: m.token }), 401, 'token_invalid');
    expectProblem(await login(m.email), 403, 'account_deleted');
    const listed = async (query: string) =>
      expectOk(await api('GET', `/accounts?limit=100${query}`, { apiKey: t.apiKey })).data.map(
        (a: { id: string }) => a.id,
      );
    expect(await listed('')).not.toContain(m.accountId);
    expect(await listed('&active=false')).not.toContain(m.accountId);
    expect(await listed('&include=deleted')).toContain(m.accountId);
    expect(await listed('&status=deleted')).toEqual([m.accountId]);
    // Still readable by id (the data is kept), and deleting again answers unchanged.
    expect(expectOk(await api('GET', `/accounts/${m.accountId}`, { apiKey: t.apiKey })).status).toBe(
      'deleted',
    );
    expect(expectOk(await api('DELETE', `/accounts/${m.accountId}`, { apiKey: t.apiKey })).status).toBe(
      'deleted',
    );
    expectProblem(
      await api('POST', `/accounts/${m.accountId}/ban`, { apiKey: t.apiKey, body: { reason: 'r' } }),
      409,
      'status_conflict',
    );

    const restored = expectOk(
      await api('POST', `/accounts/${m.accountId}/restore`, { token: t.admin.token }),
    );
    expect(restored).toMatchObject({ status: 'active', groups: ['verified'] });
    expectOk(await login(m.email));
    expect(await listed('')).toContain(m.accountId);
    const [event] = await server.db.auditEvents({ action: 'account.deleted', targetId: m.accountId });
    expect(event).toMatchObject({
      actorId: t.admin.accountId,
      details: { from: 'active', sessions_ended: 1 },
    });
  });

  it("refuses the tenant's last owner (409 last_admin), yourself, outranking accounts, members, bad queries", async () => {
    const ownerKey = expectOk(
      await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'owner-key-2', role: 'owner' } }),
      201,
    ).key;
    expectProblem(
      await api('DELETE', `/accounts/${t.owner.accountId}`, { apiKey: ownerKey }),
      409,
      'last_admin',
    );
    expectProblem(
      await api('DELETE', `/accounts/${t.owner.accountId}`, { token: t.owner.token }),
      403,
      'self_target',
    );
    expectProblem(
      await api('DELETE', `/accounts/${t.owner.accountId}`, { token: t.admin.token }),
      403,
      'forbidden',
    );
    expectProblem(
      await api('DELETE', `/accounts/${t.admin.accountId}`, { token: t.member.token }),
      403,
      'forbidden',
    );
    // With a second owner, the first can go.
    const second = await t.addAccount('owner');
    expect(expectOk(await api('DELETE', `/accounts/${second.accountId}`, { apiKey: ownerKey })).status).toBe(
      'deleted',
    );
    expect(
      expectOk(await api('POST', `/accounts/${second.accountId}/restore`, { apiKey: ownerKey })).status,
    ).toBe('active');
    for (const query of ['status=gone', 'include=all', 'include=deleted&include=deleted']) {
      expectProblem(await api('GET', `/accounts?${query}`, { apiKey: t.apiKey }), 400, 'validation_failed');
    }
  });
});

describe('POST /accounts/{id}/mfa/reset', () => {
  it("removes the person's authenticator and ends the account's sessions, audited with the reason", async () => {
    const m = await t.addAccount('member');
    const enrollment = expectOk(await api('POST', '/auth/mfa/totp/enroll', { token: m.token }));
    expect(enrollment.secret).toEqual(expect.any(String));
    // An enrollment not yet confirmed is a factor of the person too: the reset removes it.
    const reset = expectOk(
      await api('POST', `/accounts/${m.accountId}/mfa/reset`, {
        token: t.admin.token,
        body: { reason: 'lost their phone' },
      }),
    );
    expect(reset).toEqual({ totp_removed: true, sessions_ended: 1 });
    expect(await server.db.records('totpCredentials').count({ person: m.personId })).toBe(0);
    expectProblem(await api('GET', '/auth/me', { token: m.token }), 401, 'token_invalid');
    const [event] = await server.db.auditEvents({ action: 'account.mfa.reset', targetId: m.accountId });
    expect(event).toMatchObject({
      actorId: t.admin.accountId,
      details: { reason: 'lost their phone', authenticator_removed: true, sessions_ended: 1 },
    });
    // Nothing left to remove: still 200, and the account stays active.
    expect(
      expectOk(
        await api('POST', `/accounts/${m.accountId}/mfa/reset`, {
          apiKey: t.apiKey,
          body: { reason: 'again' },
        }),
      ),
    ).toEqual({ totp_removed: false, sessions_ended: 0 });
    expectOk(await login(m.email));
  });

  it('refuses a factor shared with another tenant (409 mfa_shared), yourself, outranking accounts, members, no reason', async () => {
    const m = await t.addAccount('member');
    expectOk(await login(m.email, other.tenant.code));
    const reset = (
      id: string,
      options: { token?: string; apiKey?: string },
      body: unknown = { reason: 'r' },
    ) => api('POST', `/accounts/${id}/mfa/reset`, { ...options, body });
    expectProblem(await reset(m.accountId, { apiKey: t.apiKey }), 409, 'mfa_shared');
    expectProblem(await reset(t.admin.accountId, { token: t.admin.token }), 403, 'self_target');
    expectProblem(await reset(t.owner.accountId, { token: t.admin.token }), 403, 'forbidden');
    expectProblem(await reset(t.admin.accountId, { token: t.member.token }), 403, 'forbidden');
    expectProblem(await reset(t.member.accountId, { apiKey: t.apiKey }, {}), 400, 'validation_failed');
  });
});

async function verifiedGroupId(): Promise<string> {
  const groups = expectOk(await api('GET', '/groups', { apiKey: t.apiKey })).data as {
    id: string;
    name: string;
  }[];
  const verified = groups.find((g) => g.name === 'verified');
  if (!verified) throw new Error('no verified group');
  return verified.id;
}
