// Issue #14's person profile over HTTP against the real server: PATCH /auth/me sets display name, avatar,
// locale and time zone (absent fields unchanged, null clears), GET /auth/me and token answers show it,
// every malformed field is a 400 naming it, nothing is half-written, and the change is audited.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let a: SeededTenant;

beforeAll(async () => {
  a = await seedTenant(server, 'Profiles');
});

const empty = { display_name: null, avatar_url: null, locale: null, time_zone: null };

describe('PATCH /auth/me', () => {
  it('sets, keeps and clears profile fields; GET /auth/me shows them', async () => {
    const who = await a.addAccount('member');
    expect(expectOk(await api('GET', '/auth/me', { token: who.token })).person).toMatchObject(empty);

    const set = expectOk(
      await api('PATCH', '/auth/me', {
        token: who.token,
        body: {
          display_name: '  Ada Lovelace ',
          avatar_url: 'https://cdn.example.com/ada.png',
          locale: 'en-GB',
          time_zone: 'Europe/London',
        },
      }),
    );
    const full = {
      display_name: 'Ada Lovelace',
      avatar_url: 'https://cdn.example.com/ada.png',
      locale: 'en-GB',
      time_zone: 'Europe/London',
    };
    expect(set.person).toMatchObject(full);
    expect(set.account.id).toBe(who.accountId);

    // Absent fields stay; null clears one.
    const cleared = expectOk(await api('PATCH', '/auth/me', { token: who.token, body: { locale: null } }));
    expect(cleared.person).toMatchObject({ ...full, locale: null });
    expect(expectOk(await api('GET', '/auth/me', { token: who.token })).person).toMatchObject({
      ...full,
      locale: null,
    });

    const events = await server.db.auditEvents({ action: 'person.profile.updated', actorId: who.accountId });
    expect(events.map((e) => e.details)).toEqual([
      { fields: ['display_name', 'avatar_url', 'locale', 'time_zone'] },
      { fields: ['locale'] },
    ]);
  });

  it('refuses every malformed field with a 400 naming it, and writes nothing', async () => {
    const who = await a.addAccount('member');
    const bad: [Record<string, unknown>, string][] = [
      [{ display_name: '' }, 'body.display_name'],
      [{ display_name: 'x'.repeat(101) }, 'body.display_name'],
      [{ display_name: 'bell\u0000' }, 'body.display_name'],
      [{ avatar_url: 'http://cdn.example.com/a.png' }, 'body.avatar_url'],
      [{ avatar_url: 'javascript:alert(1)' }, 'body.avatar_url'],
      [{ locale: 'en_GB; DROP TABLE person' }, 'body.locale'],
      [{ time_zone: 'Mars/Olympus_Mons' }, 'body.time_zone'],
      [{ time_zone: '../../etc/passwd' }, 'body.time_zone'],
      [{ nickname: 'Ada' }, 'body'],
      [{ locale: 42 }, 'body.locale'],
    ];
    for (const [body, path] of bad) {
      const problem = expectProblem(
        await api('PATCH', '/auth/me', { token: who.token, body: { display_name: 'Kept?', ...body } }),
        400,
        'validation_failed',
      );
      expect(
        problem.errors?.some((e) => e.path === path || e.path.startsWith(`${path}.`)),
        `${JSON.stringify(body)}: ${JSON.stringify(problem.errors)}`,
      ).toBe(true);
    }
    expect(expectOk(await api('GET', '/auth/me', { token: who.token })).person).toMatchObject(empty);
  });

  it('needs a signed-in user: no token is 401; an API key is refused as on GET /auth/me', async () => {
    expectProblem(await api('PATCH', '/auth/me', { body: { locale: 'fr' } }), 401, 'unauthenticated');
    const withKey = await api('PATCH', '/auth/me', { apiKey: a.apiKey, body: { locale: 'fr' } });
    const readWithKey = await api('GET', '/auth/me', { apiKey: a.apiKey });
    expect(withKey.status).toBe(403);
    expect([withKey.status, withKey.body.code]).toEqual([readWithKey.status, readWithKey.body.code]);
  });

  it("is the person's: the token answer of a refresh carries it", async () => {
    const who = await a.addAccount('member');
    const session = await server.signIn({ accountId: who.accountId, amr: ['otp'] });
    expectOk(
      await api('PATCH', '/auth/me', { token: session.accessToken, body: { time_zone: 'Asia/Tokyo' } }),
    );
    const refreshed = expectOk(
      await api('POST', '/auth/refresh', { body: { refresh_token: session.refreshToken } }),
    );
    expect(refreshed.person.time_zone).toBe('Asia/Tokyo');
  });
});
