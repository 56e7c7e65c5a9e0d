import {
  AccessTokenService,
  RefreshTokenService,
  type Result,
  refreshSecondFactorGate,
  SessionTokens,
} from '@enforcer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account } from '../../entities/accounts.js';
import { AuditEvent } from '../../entities/audit.js';
import { Group, GroupMembership } from '../../entities/groups.js';
import { RefreshToken, Session } from '../../entities/sessions.js';
import { ManualClock } from '../../lib/clock.js';
import { deriveKey } from '../../lib/crypto.js';
import type { AppError } from '../../lib/errors.js';
import { cryptoRandom } from '../../lib/random.js';
import { PostgresSessionStore } from '../../stores/postgres/sessions.js';
import { PostgresUnitOfWork } from '../../stores/postgres/unit-of-work.js';
import { createTestOrm, seedAccount, testConfig } from '../../testing/index.js';
import { SigningKeyStore } from '../keys/signing-key-store.js';
import { TenantPolicyService } from '../policy/tenant-policy.js';
import { auditRefreshTokenReuse } from './reuse-audit.js';

const db = await createTestOrm();
afterAll(() => db.close());

const DAY = 86_400;
const IDLE = 14 * DAY;
const ABSOLUTE = 30 * DAY;
const GRACE = 10;
const config = testConfig();
const clock = new ManualClock();
const refresh = new RefreshTokenService({
  store: new PostgresSessionStore({ orm: db.orm }),
  clock,
  random: cryptoRandom,
  successorKey: deriveKey(config.masterKey, 'refresh-token-successor'),
  idleTtlSeconds: IDLE,
  absoluteTtlSeconds: ABSOLUTE,
  graceSeconds: GRACE,
  onReuse: auditRefreshTokenReuse(db.orm, clock),
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
const uow = new PostgresUnitOfWork({ orm: db.orm, clock, policies: new TenantPolicyService() });
// The core's sessions as the server builds them (services.ts): what login, join, switch and refresh use.
const sessions = new SessionTokens({
  access,
  refresh,
  uow,
  secondFactor: refreshSecondFactorGate({ clock, random: cryptoRandom }),
});
const signIn = (accountId: string, client: { ip?: string } = {}) =>
  uow.transaction((repos) => sessions.open(repos, { accountId, amr: ['otp'], client }));

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return (error as AppError).code;
  }
  return 'accepted';
};

const em = () => db.orm.em.fork();

const ok = <T>(result: Result<T>): T => {
  if (!result.ok) throw new Error(result.code);
  return result.value;
};
const refusal = async (result: Promise<Result<unknown>>) => {
  const done = await result;
  return done.ok ? 'accepted' : done.code;
};

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

// The rotation rules are held to test/stores (every store, the same suite); here, what only the
// PostgreSQL wiring does: rows, hashes and the audit event.
describe('refresh tokens in PostgreSQL', () => {
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
    const r1 = ok(await refresh.rotate(t0));
    expect(r1.refreshToken).not.toBe(t0);
    expect(r1.graceReplay).toBe(false);
    expect(r1.session.id).toBe(session.id);
    clock.advance(60);
    const r2 = ok(await refresh.rotate(r1.refreshToken));
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
    const { refreshToken: t1 } = ok(await refresh.rotate(t0));
    clock.advance(GRACE + 1);
    expect(await refusal(refresh.rotate(t0))).toBe('refresh_token_reused');
    // The attacker's replay killed the legitimate holder's live token too.
    expect(await refusal(refresh.rotate(t1))).toBe('refresh_token_invalid');
    const revoked = await em().findOneOrFail(Session, session.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect(revoked.revokeReason).toBe('refresh_token_reuse');
    const events = await em().find(AuditEvent, { action: 'auth.refresh_token.reused', targetId: session.id });
    expect(events).toHaveLength(1);
    expect(events[0]!.tenantId).toBe(tenant.id);
    expect(JSON.stringify(events[0]!.details)).not.toContain(t0.slice(4));
  });
});

describe("session tokens (the core's, over PostgreSQL)", () => {
  it('sign in and refresh with the current role, groups and grant version', async () => {
    const { account, tenant } = await seedAccount(db.orm, { role: 'admin' });
    const first = await signIn(account.id, { ip: '203.0.113.9' });
    const claims = await access.verify(first.response.token);
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

    const second = await sessions.refresh(first.response.refresh_token!, {});
    const refreshed = await access.verify(second.token);
    expect(refreshed.sid).toBe(first.sessionId);
    expect(refreshed).toMatchObject({
      groups: ['verified'],
      grant_version: 2,
      amr: ['otp'],
    });
  });

  it('a deactivated account cannot refresh, and its session ends', async () => {
    const { account } = await seedAccount(db.orm);
    const tokens = await signIn(account.id);
    const tx = em();
    Object.assign(await tx.findOneOrFail(Account, account.id), { active: false, status: 'deactivated' });
    await tx.flush();
    expect(await codeOf(sessions.refresh(tokens.response.refresh_token!, {}))).toBe('account_inactive');
    expect((await em().findOneOrFail(Session, tokens.sessionId)).revokeReason).toBe('account_inactive');
    expect(await codeOf(signIn(account.id))).toBe('account_inactive');
  });

  it('a locked, banned or deleted account cannot refresh either, each with its own code', async () => {
    for (const status of ['locked', 'banned', 'deleted'] as const) {
      const { account } = await seedAccount(db.orm);
      const tokens = await signIn(account.id);
      const tx = em();
      Object.assign(await tx.findOneOrFail(Account, account.id), { active: false, status });
      await tx.flush();
      const code = `account_${status}`;
      expect(await codeOf(sessions.refresh(tokens.response.refresh_token!, {}))).toBe(code);
      expect((await em().findOneOrFail(Session, tokens.sessionId)).revokeReason).toBe(code);
      expect(await codeOf(signIn(account.id))).toBe(code);
    }
  });
});
