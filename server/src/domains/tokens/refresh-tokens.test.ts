import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.js';
import type { AppError } from '../../lib/errors.js';
import { cryptoRandom } from '../../lib/random.js';
import { createTestOrm, seedAccount, testConfig } from '../../testing/index.js';
import { AuditEvent } from '../audit/entities.js';
import { Group, GroupMembership } from '../groups/entities.js';
import { Account } from '../identity/entities.js';
import { SigningKeyStore } from '../keys/signing-key-store.js';
import { AccessTokenService } from './access-token.js';
import { RefreshToken, Session } from './entities.js';
import { RefreshTokenService } from './refresh-tokens.js';
import { SessionTokenService } from './session-tokens.js';

const db = await createTestOrm();
afterAll(() => db.close());

const DAY = 86_400;
const IDLE = 14 * DAY;
const ABSOLUTE = 30 * DAY;
const GRACE = 10;
const config = testConfig();
const clock = new ManualClock();
const refresh = new RefreshTokenService({
  orm: db.orm,
  masterKey: config.masterKey,
  clock,
  random: cryptoRandom,
  idleTtlSeconds: IDLE,
  absoluteTtlSeconds: ABSOLUTE,
  graceSeconds: GRACE,
});
const keys = new SigningKeyStore({
  orm: db.orm,
  masterKey: config.masterKey,
  clock,
  random: cryptoRandom,
  retentionSeconds: DAY,
  minPendingAgeSeconds: 300,
});
const access = new AccessTokenService({
  keys,
  clock,
  random: cryptoRandom,
  issuer: config.issuer,
  audience: config.audience,
  ttlSeconds: 900,
  clockToleranceSeconds: 0,
});
const sessions = new SessionTokenService({ orm: db.orm, access, refresh });

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return (error as AppError).code;
  }
  return 'accepted';
};

const em = () => db.orm.em.fork();

async function login() {
  const { account, person, tenant } = await seedAccount(db.orm);
  const issued = await refresh.startSession({
    accountId: account.id,
    personId: person.id,
    tenantId: tenant.id,
    amr: ['otp'],
  });
  return { account, person, tenant, ...issued };
}

describe('refresh tokens', () => {
  beforeAll(() => keys.ensureKeys());

  it('are opaque 256-bit tokens stored only as a SHA-256 hash', async () => {
    const { refreshToken, session } = await login();
    expect(refreshToken).toMatch(/^ert_[A-Za-z0-9_-]{43}$/);
    const rows = await em().find(RefreshToken, { session: session.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).not.toContain(refreshToken.slice(4));
    expect(rows[0]!.expiresAt.getTime() - clock.now().getTime()).toBe(IDLE * 1000);
  });

  it('rotate on every use: the successor works, each token once', async () => {
    const { refreshToken: t0, session } = await login();
    const r1 = await refresh.rotate(t0);
    expect(r1.refreshToken).not.toBe(t0);
    expect(r1.graceReplay).toBe(false);
    expect(r1.session.id).toBe(session.id);
    clock.advance(60);
    const r2 = await refresh.rotate(r1.refreshToken);
    expect(r2.refreshToken).not.toBe(r1.refreshToken);
    const chain = await em().find(RefreshToken, { session: session.id }, { orderBy: { createdAt: 'asc' } });
    expect(chain).toHaveLength(3);
    expect(chain[1]!.parentId).toBe(chain[0]!.id);
    expect(chain[0]!.replacedById).toBe(chain[1]!.id);
    expect(chain[0]!.usedAt).not.toBeNull();
    expect(chain[2]!.usedAt).toBeNull();
  });

  it('replay outside the grace window revokes the whole family, live token included, and is audited', async () => {
    const { refreshToken: t0, session, tenant } = await login();
    const { refreshToken: t1 } = await refresh.rotate(t0);
    clock.advance(GRACE + 1);
    expect(await codeOf(refresh.rotate(t0))).toBe('refresh_token_reused');
    // The attacker's replay killed the legitimate holder's live token too.
    expect(await codeOf(refresh.rotate(t1))).toBe('refresh_token_invalid');
    const revoked = await em().findOneOrFail(Session, session.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect(revoked.revokeReason).toBe('refresh_token_reuse');
    const events = await em().find(AuditEvent, { action: 'auth.refresh_token.reused', targetId: session.id });
    expect(events).toHaveLength(1);
    expect(events[0]!.tenantId).toBe(tenant.id);
    expect(JSON.stringify(events[0]!.details)).not.toContain(t0.slice(4));
  });

  it('two concurrent refreshes of the same token get the same successor (grace window)', async () => {
    const { refreshToken: t0, session } = await login();
    const [a, b] = await Promise.all([refresh.rotate(t0), refresh.rotate(t0)]);
    expect(a.refreshToken).toBe(b.refreshToken);
    expect([a.graceReplay, b.graceReplay].sort()).toEqual([false, true]);
    expect(await em().count(RefreshToken, { session: session.id })).toBe(2);
    // A late retry inside the window still gets it; the successor itself works once.
    clock.advance(GRACE - 1);
    expect((await refresh.rotate(t0)).refreshToken).toBe(a.refreshToken);
    await expect(refresh.rotate(a.refreshToken)).resolves.toBeDefined();
  });

  it('a replay inside the grace window after the successor was used is reuse', async () => {
    const { refreshToken: t0 } = await login();
    const { refreshToken: t1 } = await refresh.rotate(t0);
    await refresh.rotate(t1);
    expect(await codeOf(refresh.rotate(t0))).toBe('refresh_token_reused');
  });

  it('expire when idle', async () => {
    const { refreshToken: t0 } = await login();
    clock.advance(IDLE - 1);
    const { refreshToken: t1 } = await refresh.rotate(t0);
    clock.advance(IDLE);
    expect(await codeOf(refresh.rotate(t1))).toBe('refresh_token_invalid');
  });

  it('expire absolutely, however often they are used', async () => {
    let { refreshToken: token } = await login();
    for (let day = 0; day < 29; day += 1) {
      clock.advance(DAY);
      ({ refreshToken: token } = await refresh.rotate(token));
    }
    clock.advance(DAY - 1);
    const last = await refresh.rotate(token);
    // Idle expiry never reaches past the session's absolute expiry.
    expect(last.expiresAt.getTime()).toBe(last.session.absoluteExpiresAt.getTime());
    clock.advance(1);
    expect(await codeOf(refresh.rotate(last.refreshToken))).toBe('refresh_token_invalid');
  });

  it('are bound to their tenant and refuse malformed or unknown tokens', async () => {
    const { refreshToken: t0, tenant } = await login();
    const { tenant: other } = await seedAccount(db.orm);
    expect(await codeOf(refresh.rotate(t0, { tenantId: other.id }))).toBe('refresh_token_invalid');
    await expect(refresh.rotate(t0, { tenantId: tenant.id })).resolves.toBeDefined();
    expect(await codeOf(refresh.rotate('ert_short'))).toBe('refresh_token_invalid');
    expect(await codeOf(refresh.rotate(`ert_${'A'.repeat(43)}`))).toBe('refresh_token_invalid');
  });

  it('stop working when the session is revoked (logout)', async () => {
    const { refreshToken: t0, session } = await login();
    expect(await refresh.revokeSession(session.id, 'logout')).toBe(true);
    expect(await refresh.revokeSession(session.id, 'logout')).toBe(false);
    expect(await codeOf(refresh.rotate(t0))).toBe('refresh_token_invalid');
  });
});

describe('session tokens', () => {
  it('sign in and refresh with the current role, groups and grant version', async () => {
    const { account, tenant } = await seedAccount(db.orm, { role: 'admin' });
    const first = await sessions.signIn({ accountId: account.id, amr: ['otp'], ip: '203.0.113.9' });
    const claims = await access.verify(first.accessToken);
    expect(claims).toMatchObject({
      sub: account.id,
      tenant_id: tenant.id,
      sid: first.sessionId,
      roles: ['admin'],
      groups: [],
      amr: ['otp'],
      grant_version: 1,
    });

    // Join a group: the next refresh carries it, with a bumped grant version.
    const tx = em();
    const group = tx.create(Group, { tenant: tenant.id, name: 'verified', description: null });
    tx.create(GroupMembership, { group, account: account.id, tenant: tenant.id });
    const loaded = await tx.findOneOrFail(Account, account.id);
    loaded.grantVersion += 1;
    await tx.flush();

    const second = await sessions.refresh(first.refreshToken, { tenantId: tenant.id });
    expect(second.sessionId).toBe(first.sessionId);
    expect(await access.verify(second.accessToken)).toMatchObject({
      groups: ['verified'],
      grant_version: 2,
      amr: ['otp'],
    });
  });

  it('a deactivated account cannot refresh, and its session ends', async () => {
    const { account } = await seedAccount(db.orm);
    const tokens = await sessions.signIn({ accountId: account.id, amr: ['otp'] });
    const tx = em();
    (await tx.findOneOrFail(Account, account.id)).active = false;
    await tx.flush();
    expect(await codeOf(sessions.refresh(tokens.refreshToken))).toBe('account_inactive');
    expect((await em().findOneOrFail(Session, tokens.sessionId)).revokeReason).toBe('account_inactive');
    expect(await codeOf(sessions.signIn({ accountId: account.id, amr: ['otp'] }))).toBe('account_inactive');
  });
});
