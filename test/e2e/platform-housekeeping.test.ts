// Housekeeping (#15) through HTTP on a real server and PostgreSQL: a loop of sign-ins (codes sent, a wrong
// code, logins, refreshes) leaves rows in the sign-in tables; once they have expired, the housekeeping run
// deletes them, so the tables stay bounded however long the loop goes on.
import { ManualClock } from '@enforcer/server/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { requestCode, seedTenant, uniqueEmail, wrongCode } from './auth-fixtures.js';
import { startServer } from './harness.js';

const clock = new ManualClock(Date.now());
const server = await startServer({ clock });
const sql = new pg.Client({ connectionString: server.db.url });
await sql.connect();
afterAll(() => sql.end());

const TABLES = [
  'otp_challenge',
  'session',
  'refresh_token',
  'auth_throttle',
  'send_counter',
  'revocation_event',
] as const;

async function counts(): Promise<Record<(typeof TABLES)[number], number>> {
  const out = {} as Record<(typeof TABLES)[number], number>;
  for (const table of TABLES) {
    const { rows } = await sql.query<{ n: number }>(`select count(*)::int as n from "${table}"`);
    out[table] = rows[0]!.n;
  }
  return out;
}

// ManualClock.advance takes seconds.
const DAY = 86_400;

describe('housekeeping under a sign-in loop', () => {
  it('deletes what sign-in leaves behind once it has expired, round after round', async () => {
    const tenant = await seedTenant(server.db);
    const round = async (people: number) => {
      for (let i = 0; i < people; i++) {
        const email = uniqueEmail('loop');
        const otp = await requestCode(server.api, email, tenant.code);
        // A wrong code first: throttle counters for the account and the client.
        const wrong = await server.api('POST', '/auth/login', {
          body: { provider: 'email_otp', email, otp: wrongCode(otp), tenant_code: tenant.code },
        });
        expect(wrong.status).toBe(401);
        const login = await server.api('POST', '/auth/login', {
          body: { provider: 'email_otp', email, otp, tenant_code: tenant.code },
        });
        expect(login.status, JSON.stringify(login.body)).toBe(200);
        let refresh = login.body.refresh_token as string;
        for (let r = 0; r < 2; r++) {
          const next = await server.api('POST', '/auth/refresh', { body: { refresh_token: refresh } });
          expect(next.status, JSON.stringify(next.body)).toBe(200);
          refresh = next.body.refresh_token;
        }
        // Half of them log out (a revoked session, a revocation event).
        if (i % 2 === 0) {
          expect(
            (await server.api('POST', '/auth/logout', { body: { refresh_token: refresh } })).status,
          ).toBeLessThan(300);
        }
      }
    };

    await round(6);
    const grown = await counts();
    expect(grown.session).toBeGreaterThanOrEqual(6);
    expect(grown.refresh_token).toBeGreaterThanOrEqual(18);
    expect(grown.otp_challenge).toBeGreaterThanOrEqual(6);
    expect(grown.auth_throttle).toBeGreaterThan(0);
    expect(grown.send_counter).toBeGreaterThan(0);

    // Nothing has expired yet: a run now deletes none of it (live sessions and fresh rows stay).
    await server.housekeeping();
    const kept = await counts();
    expect(kept.session).toBe(grown.session);
    expect(kept.refresh_token).toBe(grown.refresh_token);

    // Past every lifetime (absolute session expiry 30 d, plus 32 d kept for usage figures).
    clock.advance(63 * DAY);
    const deleted = await server.housekeeping();
    expect(deleted.sessions).toBe(grown.session);
    expect(await counts()).toEqual({
      otp_challenge: 0,
      session: 0,
      refresh_token: 0,
      auth_throttle: 0,
      send_counter: 0,
      // Ending the expired sessions wrote fresh feed events; they go after the feed's retention.
      revocation_event: expect.any(Number),
    });
    clock.advance(DAY);
    await server.housekeeping();
    expect((await counts()).revocation_event).toBe(0);

    // A second round grows the tables by the same amount, and the same run empties them again.
    await round(6);
    const again = await counts();
    expect(again.session).toBe(grown.session);
    expect(again.otp_challenge).toBe(grown.otp_challenge);
    clock.advance(64 * DAY);
    await server.housekeeping();
    await server.housekeeping();
    expect(await counts()).toEqual({
      otp_challenge: 0,
      session: 0,
      refresh_token: 0,
      auth_throttle: 0,
      send_counter: 0,
      revocation_event: 0,
    });
  });
});
