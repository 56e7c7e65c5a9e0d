// The audit log over HTTP (#15): sign-ins (OTP, password, failed ones), API key creation and the events they
// leave, read with GET /audit-events (filters, cursor, one event, tenant isolation), a person's own
// activity, the NDJSON export, the hash chain's verification (a row edited in PostgreSQL shows as a
// break), the retention setting; and a scan of every stored event's details for secrets.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { withPg } from '../support/index.js';
import {
  expectFieldError,
  expectOk,
  expectProblem,
  type SeededTenant,
  seedTenant,
  uniqueEmail,
} from './admin-setup.js';
import { requestCode } from './auth-fixtures.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;
let other: SeededTenant;

const PASSWORD = 'correct horse battery staple';
/** Every secret the flows below handle: none may appear in any stored event, plain or hashed. */
const secrets: string[] = [PASSWORD];

interface Flows {
  otpEmail: string;
  otpAccountId: string;
  otpToken: string;
  pwEmail: string;
  keyId: string;
}
let flows: Flows;

beforeAll(async () => {
  t = await seedTenant(server);
  other = await seedTenant(server, 'Other Co');
  await server.db.updateTenant(t.tenant.id, { authProviders: ['email_otp', 'password'], allowSignup: true });

  // Sign-in with an email code, then a wrong code on the account it made (an attempt on an account that
  // does not exist yet has no account to name: it is anonymous, against the tenant).
  const otpEmail = uniqueEmail('otp');
  const code = await requestCode(api, otpEmail, t.tenant.code);
  secrets.push(code);
  const signedIn = expectOk(
    await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email: otpEmail, otp: code, tenant_code: t.tenant.code },
      headers: { 'user-agent': 'AuditTest/1.0' },
    }),
  );
  const second = await requestCode(api, otpEmail, t.tenant.code);
  secrets.push(second);
  const wrong = second === '000000' ? '111111' : '000000';
  expect(
    (
      await api('POST', '/auth/login', {
        body: { provider: 'email_otp', email: otpEmail, otp: wrong, tenant_code: t.tenant.code },
      })
    ).status,
  ).toBe(401);
  secrets.push(signedIn.token, signedIn.refresh_token);

  // Registration and sign-in with a password, one wrong password first.
  const pwEmail = uniqueEmail('pw');
  expect(
    (
      await api('POST', '/auth/register', {
        body: { provider: 'password', email: pwEmail, password: PASSWORD, tenant_code: t.tenant.code },
      })
    ).status,
  ).toBe(202);
  expect(
    (
      await api('POST', '/auth/login', {
        body: { provider: 'password', email: pwEmail, password: `${PASSWORD}!`, tenant_code: t.tenant.code },
      })
    ).status,
  ).toBe(401);
  secrets.push(`${PASSWORD}!`);
  const pw = expectOk(
    await api('POST', '/auth/login', {
      body: { provider: 'password', email: pwEmail, password: PASSWORD, tenant_code: t.tenant.code },
    }),
  );
  secrets.push(pw.token, pw.refresh_token);

  // A refresh, and an API key.
  const refreshed = expectOk(
    await api('POST', '/auth/refresh', { body: { refresh_token: pw.refresh_token } }),
  );
  secrets.push(refreshed.token, refreshed.refresh_token);
  const key = expectOk(
    await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'siem-export' } }),
    201,
  );
  secrets.push(key.key, t.apiKey);

  flows = {
    otpEmail,
    otpAccountId: signedIn.account.id,
    otpToken: signedIn.token,
    pwEmail,
    keyId: key.id,
  };
});

const list = (query = '', auth: { apiKey?: string; token?: string } = { apiKey: t.apiKey }) =>
  api('GET', `/audit-events${query}`, auth);

describe('GET /audit-events', () => {
  it('lists the sign-ins, newest first, with who, what, where and the outcome', async () => {
    // A failed proof is by nobody known, aimed at the account its email names.
    const [failed] = expectOk(await list(`?type=auth.login.&target_account_id=${flows.otpAccountId}`)).data;
    expect(failed).toMatchObject({
      type: 'auth.login.failed',
      outcome: 'failure',
      actor: { type: 'anonymous', id: null },
      details: { provider: 'email_otp', reason: 'wrong_code' },
    });
    const mine = expectOk(await list(`?type=auth.login.&actor_account_id=${flows.otpAccountId}`)).data;
    expect(mine.map((e: { type: string }) => e.type)).toEqual(['auth.login.succeeded']);
    const [succeeded] = mine;
    expect(succeeded).toMatchObject({
      type: 'auth.login.succeeded',
      outcome: 'success',
      actor: { type: 'account', id: flows.otpAccountId },
      tenant_id: t.tenant.id,
      ip: '127.0.0.1',
      user_agent: 'AuditTest/1.0',
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(succeeded.request_id).toMatch(/^[0-9a-f-]{36}$/);
    // The failed attempt came after the sign-in: newest first, it is listed first.
    expect(Date.parse(failed.created_at)).toBeGreaterThanOrEqual(Date.parse(succeeded.created_at));
    expect(failed.seq).toBeGreaterThan(succeeded.seq);
  });

  it('failed sign-ins are events: the login-attempts view is a filter', async () => {
    const failed = expectOk(await list('?type=auth.login.failed&outcome=failure')).data;
    expect(failed.length).toBeGreaterThanOrEqual(2);
    for (const event of failed)
      expect(event).toMatchObject({ type: 'auth.login.failed', outcome: 'failure' });
    const providers = failed.map((e: { details: { provider: string } }) => e.details.provider).sort();
    expect(providers).toEqual(expect.arrayContaining(['email_otp', 'password']));
    expect(expectOk(await list('?type=auth.login.succeeded&outcome=failure')).data).toEqual([]);
  });

  it('pages with a cursor and filters on a time range', async () => {
    const all = expectOk(await list('?limit=100')).data;
    expect(all.length).toBeGreaterThan(4);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; pagination: { next_cursor: string | null; has_more: boolean } } =
        expectOk(await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...page.data.map((e: { id: string }) => e.id));
      cursor = page.pagination.next_cursor;
      expect(page.pagination.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual(all.map((e: { id: string }) => e.id));

    const middle = all[Math.floor(all.length / 2)];
    const from = encodeURIComponent(middle.created_at);
    const newer = expectOk(await list(`?limit=100&from=${from}`)).data;
    for (const e of newer)
      expect(Date.parse(e.created_at)).toBeGreaterThanOrEqual(Date.parse(middle.created_at));
    const older = expectOk(await list(`?limit=100&to=${from}`)).data;
    for (const e of older) expect(Date.parse(e.created_at)).toBeLessThan(Date.parse(middle.created_at));
    expect(newer.length + older.length).toBe(all.length);
  });

  it('refuses bad filters with a 400 naming the field', async () => {
    expectFieldError(expectProblem(await list('?outcome=maybe'), 400, 'validation_failed'), 'query.outcome');
    expectFieldError(
      expectProblem(await list('?actor_account_id=nope'), 400, 'validation_failed'),
      'query.actor_account_id',
    );
    expectProblem(await list('?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z'), 400, 'validation_failed');
    expectProblem(await list('?cursor=not-ours'), 400, 'validation_failed');
  });

  it('needs audit.read: a member is refused, an admin and an API key read; another tenant sees none of it', async () => {
    expectProblem(await list('', { token: t.member.token }), 403, 'forbidden');
    expectOk(await list('', { token: t.admin.token }));
    const theirs = expectOk(await list('?limit=100', { apiKey: other.apiKey })).data;
    for (const e of theirs) expect(e.tenant_id).toBe(other.tenant.id);
    expect(theirs.some((e: { actor: { id: string } }) => e.actor.id === flows.otpAccountId)).toBe(false);
  });
});

describe('GET /audit-events/{id}', () => {
  it("answers one event; another tenant's is a 404 like a missing one", async () => {
    const created = expectOk(await list('?type=api_key.created')).data.find(
      (e: { target: { id: string } }) => e.target.id === flows.keyId,
    );
    expect(created).toMatchObject({
      type: 'api_key.created',
      actor: { type: 'account', id: t.owner.accountId },
      target: { type: 'api_key', id: flows.keyId },
      details: { name: 'siem-export', role: 'admin' },
    });
    expect(expectOk(await api('GET', `/audit-events/${created.id}`, { apiKey: t.apiKey }))).toEqual(created);
    expectProblem(
      await api('GET', `/audit-events/${created.id}`, { apiKey: other.apiKey }),
      404,
      'not_found',
    );
    expectProblem(
      await api('GET', `/audit-events/${crypto.randomUUID()}`, { apiKey: t.apiKey }),
      404,
      'not_found',
    );
    expectProblem(
      await api('GET', `/audit-events/${created.id}`, { token: t.member.token }),
      403,
      'forbidden',
    );
  });
});

describe('GET /auth/activity', () => {
  it("shows the caller's own sign-ins, failed ones included, and nobody else's", async () => {
    const page = expectOk(await api('GET', '/auth/activity', { token: flows.otpToken }));
    const types = page.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['auth.login.succeeded', 'auth.login.failed']));
    for (const e of page.data) {
      const aboutMe = [e.actor, e.target].some(
        (who: { type: string; id: string } | null) =>
          who?.type === 'account' && who.id === flows.otpAccountId,
      );
      expect(aboutMe || e.tenant_id === null, JSON.stringify(e)).toBe(true);
    }
    expectProblem(await api('GET', '/auth/activity', { apiKey: t.apiKey }), 403, 'credential_not_allowed');
    expectProblem(await api('GET', '/auth/activity'), 401, 'unauthenticated');
  });
});

describe('GET /audit-events/export', () => {
  it('streams the range as NDJSON, oldest first, the same events the list gives', async () => {
    const all = expectOk(await list('?limit=100')).data;
    const from = new Date(Date.parse(all.at(-1).created_at)).toISOString();
    const to = new Date(Date.parse(all[0].created_at) + 1).toISOString();
    const response = await fetch(
      `${server.baseUrl}/audit-events/export?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      { headers: { 'x-api-key': t.apiKey } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const text = await response.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((e: { id: string }) => e.id)).toEqual(
      [...all].reverse().map((e: { id: string }) => e.id),
    );
    expect(lines[0]).toEqual(all.at(-1));
  });

  it('needs both ends, `to` not before `from`, and audit.read', async () => {
    expectProblem(
      await api('GET', '/audit-events/export?from=2030-01-01T00:00:00Z', { apiKey: t.apiKey }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api('GET', '/audit-events/export?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', {
        apiKey: t.apiKey,
      }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api('GET', '/audit-events/export?from=2030-01-01T00:00:00Z&to=2031-01-01T00:00:00Z', {
        token: t.member.token,
      }),
      403,
      'forbidden',
    );
  });
});

describe('GET /audit-events/verify', () => {
  it('finds the chain whole, then reports the first break after a row is edited in PostgreSQL', async () => {
    const whole = expectOk(await api('GET', '/audit-events/verify', { apiKey: t.apiKey }));
    expect(whole).toMatchObject({ ok: true, first_seq: 1, first_break: null });
    expect(whole.checked).toBe(whole.last_seq);
    expect(whole.last_hash).toMatch(/^[0-9a-f]{64}$/);

    // The other tenant's chain is its own: it stays whole whatever happens to this one.
    const victim = expectOk(await list('?type=auth.login.failed')).data.at(-1);
    await withPg(server.db.url, (client) =>
      client.query(
        `update audit_event set details = details || '{"reason":"nothing happened"}' where id = $1`,
        [victim.id],
      ),
    );
    const broken = expectOk(await api('GET', '/audit-events/verify', { apiKey: t.apiKey }));
    expect(broken).toMatchObject({
      ok: false,
      checked: victim.seq - 1,
      first_break: { id: victim.id, seq: victim.seq, reason: 'hash_mismatch' },
    });
    expect(expectOk(await api('GET', '/audit-events/verify', { apiKey: other.apiKey }))).toMatchObject({
      ok: true,
    });
    expectProblem(await api('GET', '/audit-events/verify', { token: t.member.token }), 403, 'forbidden');
  });
});

describe('GET/PATCH /audit-settings', () => {
  it('reads the default retention, changes it (tenants.update), audits the change', async () => {
    expect(expectOk(await api('GET', '/audit-settings', { apiKey: other.apiKey }))).toEqual({
      audit_retention_days: 365,
    });
    expect(
      expectOk(
        await api('PATCH', '/audit-settings', {
          token: other.admin.token,
          body: { audit_retention_days: 90 },
        }),
      ),
    ).toEqual({ audit_retention_days: 90 });
    expect(expectOk(await api('GET', '/audit-settings', { apiKey: other.apiKey }))).toEqual({
      audit_retention_days: 90,
    });
    const [changed] = expectOk(await list('?type=audit.settings.updated', { apiKey: other.apiKey })).data;
    expect(changed).toMatchObject({
      actor: { type: 'account', id: other.admin.accountId },
      details: { before: { audit_retention_days: 365 }, after: { audit_retention_days: 90 } },
    });
    // Another tenant's setting is untouched.
    expect(expectOk(await api('GET', '/audit-settings', { apiKey: t.apiKey }))).toEqual({
      audit_retention_days: 365,
    });
    expectProblem(
      await api('PATCH', '/audit-settings', { token: other.member.token, body: { audit_retention_days: 1 } }),
      403,
      'forbidden',
    );
    expectProblem(
      await api('PATCH', '/audit-settings', { apiKey: other.apiKey, body: { audit_retention_days: 0 } }),
      400,
      'validation_failed',
    );
    expect(
      expectOk(
        await api('PATCH', '/audit-settings', { apiKey: other.apiKey, body: { audit_retention_days: null } }),
      ),
    ).toEqual({ audit_retention_days: 365 });
  });
});

describe('no secret in any stored event', () => {
  it('holds no code, token, key or password, plain or hashed, in any column of any event', async () => {
    const hashed = (s: string) => [
      createHash('sha256').update(s).digest('hex'),
      createHash('sha256').update(s).digest('base64url'),
    ];
    const forbidden = secrets.flatMap((s) => [s, ...hashed(s)]);
    const rows = await withPg(
      server.db.url,
      async (client) => (await client.query('select * from audit_event')).rows,
    );
    expect(rows.length).toBeGreaterThan(10);
    const actions = new Set(rows.map((r: { action: string }) => r.action));
    for (const wanted of [
      'auth.otp.requested',
      'auth.login.failed',
      'auth.login.succeeded',
      'api_key.created',
    ]) {
      expect(actions).toContain(wanted);
    }
    for (const row of rows) {
      const { hash: _hash, prev_hash: _prev, ...stored } = row as Record<string, unknown>;
      const text = JSON.stringify(stored);
      for (const secret of forbidden)
        expect(text.includes(secret), `${row.action} holds a secret`).toBe(false);
      // A 6-digit run in details would be a code: details hold none.
      expect(JSON.stringify(row.details), row.action).not.toMatch(/(?<![0-9a-f-])\d{6}(?![0-9a-f-])/);
    }
  });
});
