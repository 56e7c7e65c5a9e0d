// API keys over HTTP: minting (plaintext once, hash stored), scoping by role, listing, revocation.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { type ApiResponse, startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;

/** A revoked, expired or unknown key is a 401 `invalid_credentials`. */
const expectRefusedKey = (response: ApiResponse) => {
  expect(response.status).toBe(401);
  expect(response.body.code).toBe('invalid_credentials');
};

beforeAll(async () => {
  t = await seedTenant(server);
});

describe('POST /api-keys', () => {
  it('mints enf_ + 32 random bytes, shown once, stored as a SHA-256, role admin by default', async () => {
    const created = expectOk(
      await api('POST', '/api-keys', { token: t.admin.token, body: { name: 'ci' } }),
      201,
    );
    expect(created.key).toMatch(/^enf_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: 'ci',
      role: 'admin',
      expires_at: null,
      prefix: created.key.slice(0, 12),
    });
    expect(created.last_used_at).toBeUndefined();
    const row = await server.db.records('apiKeys').one(created.id);
    expect(row.keyHash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(row.createdBy).toBe(t.admin.accountId);
    const [event] = await server.db.auditEvents({ action: 'api_key.created', targetId: created.id });
    expect(event).toMatchObject({ actorType: 'account', actorId: t.admin.accountId });
    expect(JSON.stringify(event!.details)).not.toContain(created.key);

    // It works, in either header, and the listing never shows it again.
    expectOk(await api('GET', '/groups', { apiKey: created.key }));
    expectOk(await api('GET', '/groups', { token: created.key }));
    const listed = expectOk(await api('GET', '/api-keys', { apiKey: created.key }));
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(listed.data.find((k: { id: string }) => k.id === created.id)).toMatchObject({
      name: 'ci',
      prefix: created.prefix,
      role: 'admin',
      last_used_at: expect.any(String),
    });
  });

  it('acts with its role: a member-role key is refused admin calls', async () => {
    const created = expectOk(
      await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'read-only', role: 'member' } }),
      201,
    );
    // Lists are filtered by the engine: nothing readable is an empty page, not a refusal.
    expect(expectOk(await api('GET', '/groups', { apiKey: created.key })).data).toEqual([]);
    expectProblem(
      await api('POST', '/groups', { apiKey: created.key, body: { name: 'ops' } }),
      403,
      'forbidden',
    );
    expectOk(await api('GET', '/roles', { apiKey: created.key }));
  });

  it('never outranks its creator', async () => {
    const problem = expectProblem(
      await api('POST', '/api-keys', { token: t.admin.token, body: { name: 'x', role: 'owner' } }),
      403,
      'forbidden',
    );
    expect(problem.detail).toContain('"*"');
    expectOk(
      await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'root', role: 'owner' } }),
      201,
    );
  });

  it('needs a signed-in person holding api_keys.create', async () => {
    expectProblem(
      await api('POST', '/api-keys', { apiKey: t.apiKey, body: { name: 'x' } }),
      403,
      'credential_not_allowed',
    );
    expectProblem(
      await api('POST', '/api-keys', { token: t.member.token, body: { name: 'x' } }),
      403,
      'forbidden',
    );
    expectProblem(await api('POST', '/api-keys', { body: { name: 'x' } }), 401, 'unauthenticated');
  });

  it('validates the body: unknown role, expiry in the past, bad types', async () => {
    expectFieldError(
      expectProblem(
        await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'x', role: 'nope' } }),
        400,
        'validation_failed',
      ),
      'body.role',
    );
    expectFieldError(
      expectProblem(
        await api('POST', '/api-keys', {
          token: t.owner.token,
          body: { name: 'x', expires_at: '2001-01-01T00:00:00Z' },
        }),
        400,
        'bad_request',
      ),
      'body.expires_at',
    );
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 1 },
      { name: 'x', expires_at: 'tomorrow' },
      { name: 'x', scope: 'all' },
    ]) {
      expectProblem(await api('POST', '/api-keys', { token: t.owner.token, body }), 400, 'validation_failed');
    }
  });

  it('an expiring key works until it expires', async () => {
    const expires = new Date(Date.now() + 3600_000).toISOString();
    const created = expectOk(
      await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'short', expires_at: expires } }),
      201,
    );
    expect(created.expires_at).toBe(expires);
    expectOk(await api('GET', '/groups', { apiKey: created.key }));
  });
});

describe('DELETE /api-keys/{id}', () => {
  it('revokes at once, is audited, and disappears from the list', async () => {
    const created = expectOk(
      await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'doomed' } }),
      201,
    );
    expectOk(await api('GET', '/groups', { apiKey: created.key }));
    expect((await api('DELETE', `/api-keys/${created.id}`, { apiKey: t.apiKey })).status).toBe(204);
    expectRefusedKey(await api('GET', '/groups', { apiKey: created.key }));
    const listed = expectOk(await api('GET', '/api-keys?limit=100', { token: t.owner.token }));
    expect(listed.data.map((k: { id: string }) => k.id)).not.toContain(created.id);
    expectProblem(await api('DELETE', `/api-keys/${created.id}`, { apiKey: t.apiKey }), 404, 'not_found');
    const [event] = await server.db.auditEvents({ action: 'api_key.revoked', targetId: created.id });
    expect(event).toMatchObject({ actorType: 'api_key', actorId: t.apiKeyId });
  });

  it('a key may revoke itself', async () => {
    const created = expectOk(
      await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'self' } }),
      201,
    );
    expect((await api('DELETE', `/api-keys/${created.id}`, { apiKey: created.key })).status).toBe(204);
    expectRefusedKey(await api('GET', '/groups', { apiKey: created.key }));
  });

  it('members cannot list or delete keys', async () => {
    expect(expectOk(await api('GET', '/api-keys', { token: t.member.token })).data).toEqual([]);
    expectProblem(
      await api('DELETE', `/api-keys/${t.apiKeyId}`, { token: t.member.token }),
      403,
      'forbidden',
    );
  });
});
