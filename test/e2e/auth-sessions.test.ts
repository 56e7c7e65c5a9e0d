import { ManualClock } from '@enforcer/server/testing';
import { describe, expect, it } from 'vitest';
import { expectProblem, seedTenant, setAccountActive, signIn, uniqueEmail } from './auth-fixtures.js';
import { startServer } from './harness.js';

const clock = new ManualClock(new Date());
const server = await startServer({ clock, env: { REFRESH_TOKEN_GRACE: '10' } });
const { api } = server;
const tenant = await seedTenant(server.db);

const refresh = (refreshToken: string | undefined) =>
  api('POST', '/auth/refresh', { body: { refresh_token: refreshToken } });
const me = (token: string) => api('GET', '/auth/me', { token });

describe('POST /auth/refresh', () => {
  it('rotates: a new pair each time, for the same account and session', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const first = await refresh(session.refresh_token);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(session.refresh_token);
    expect(first.body.token).not.toBe(session.token);
    expect(first.body.account.id).toBe(session.account.id);
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect((await me(second.body.token)).body.session.id).toBe((await me(session.token)).body.session.id);
  });

  it('reuse of a spent token revokes the whole family, the live token and its access tokens too', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const a = session.refresh_token;
    const b = (await refresh(a)).body;
    clock.advance(11); // past the grace window
    const c = (await refresh(b.refresh_token)).body;
    expect((await me(c.token)).status).toBe(200);

    expectProblem(await refresh(a), 401, 'refresh_token_reused');
    expectProblem(await refresh(c.refresh_token), 401, 'refresh_token_invalid');
    expectProblem(await me(c.token), 401, 'token_invalid');
    expectProblem(await me(session.token), 401, 'token_invalid');
    const events = await server.db.auditEvents({
      action: 'auth.refresh_token.reused',
      actorId: session.account.id,
    });
    expect(events).toHaveLength(1);
  });

  it('two concurrent refreshes of one token get the same successor', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const [x, y] = await Promise.all([refresh(session.refresh_token), refresh(session.refresh_token)]);
    expect([x.status, y.status]).toEqual([200, 200]);
    expect(x.body.refresh_token).toBe(y.body.refresh_token);
    expect((await refresh(x.body.refresh_token)).status).toBe(200);
  });

  it('unknown and malformed refresh tokens are 401 refresh_token_invalid', async () => {
    expectProblem(await refresh(`ert_${'A'.repeat(43)}`), 401, 'refresh_token_invalid');
    expectProblem(await refresh('nonsense'), 401, 'refresh_token_invalid');
  });

  it('a deactivated account: its token stops working, refresh is refused and ends the session', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    await setAccountActive(server.db, session.account.id, false);
    expectProblem(await me(session.token), 403, 'account_inactive');
    expectProblem(await refresh(session.refresh_token), 403, 'account_inactive');
    await setAccountActive(server.db, session.account.id, true);
    expectProblem(await me(session.token), 401, 'token_invalid');
    expectProblem(await refresh(session.refresh_token), 401, 'refresh_token_invalid');
  });
});

describe('POST /auth/logout', () => {
  it('with the refresh token (no access token needed): that session ends, its access token is refused next', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const other = await signIn(api, session.person.email!, tenant.code); // a second device
    const response = await api('POST', '/auth/logout', { body: { refresh_token: session.refresh_token } });
    expect(response.status).toBe(204);
    expectProblem(await me(session.token), 401, 'token_invalid');
    expectProblem(await refresh(session.refresh_token), 401, 'refresh_token_invalid');
    expect((await me(other.token)).status).toBe(200);
    // Idempotent.
    expect(
      (await api('POST', '/auth/logout', { body: { refresh_token: session.refresh_token } })).status,
    ).toBe(204);
    expect((await api('POST', '/auth/logout', { body: { refresh_token: 'ert_unknown' } })).status).toBe(204);
  });

  it("with only a user token: the token's own session ends", async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    expect((await api('POST', '/auth/logout', { token: session.token, body: {} })).status).toBe(204);
    expectProblem(await me(session.token), 401, 'token_invalid');
    expectProblem(await refresh(session.refresh_token), 401, 'refresh_token_invalid');
  });

  it('all_sessions: every session of the person, in every tenant, ends', async () => {
    const email = uniqueEmail();
    const otherTenant = await seedTenant(server.db);
    const one = await signIn(api, email, tenant.code);
    const two = await signIn(api, email, tenant.code);
    const three = await signIn(api, email, otherTenant.code);
    const bystander = await signIn(api, uniqueEmail(), tenant.code);
    const response = await api('POST', '/auth/logout', { token: one.token, body: { all_sessions: true } });
    expect(response.status).toBe(204);
    for (const s of [one, two, three]) {
      expectProblem(await me(s.token), 401, 'token_invalid');
      expectProblem(await refresh(s.refresh_token), 401, 'refresh_token_invalid');
    }
    expect((await me(bystander.token)).status).toBe(200);
    const events = await server.db.auditEvents({ action: 'auth.logout', actorId: one.account.id });
    expect(events[0]?.details).toMatchObject({ scope: 'all_sessions', sessions_ended: 3 });
  });

  it('all_sessions without a user token is a 401; nothing at all is a 400', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    expectProblem(
      await api('POST', '/auth/logout', {
        body: { all_sessions: true, refresh_token: session.refresh_token },
      }),
      401,
      'unauthenticated',
    );
    expectProblem(await api('POST', '/auth/logout', { body: {} }), 400, 'bad_request');
    expectProblem(await api('POST', '/auth/logout', { body: {}, token: 'not-a-jwt' }), 401, 'token_invalid');
    expect((await me(session.token)).status).toBe(200);
  });

  it('an expired access token does not stop a logout by refresh token', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    clock.advance(3600);
    expectProblem(await me(session.token), 401, 'token_expired');
    expect(
      (await api('POST', '/auth/logout', { body: { refresh_token: session.refresh_token } })).status,
    ).toBe(204);
    expectProblem(await refresh(session.refresh_token), 401, 'refresh_token_invalid');
  });
});
