import { ManualClock } from '@enforcer/server/testing';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { type SeededTenant, seedTenant as seedAdminTenant } from './admin-setup.js';
import { expectProblem, uniqueEmail } from './auth-fixtures.js';
import { startServer, type TestServer } from './harness.js';
import { startSmtpSink } from './smtp-sink.js';

const clock = new ManualClock(new Date());
const server = await startServer({ clock });
const { api } = server;
const APP = 'https://app.acme.test/auth/magic';

async function magicTenant(on: TestServer = server, urls: string[] = [APP]): Promise<SeededTenant> {
  const seeded = await seedAdminTenant(on);
  await on.db.updateTenant(seeded.tenant.id, {
    authProviders: ['email_otp', 'magic_link'],
    allowSignup: true,
  });
  if (urls.length > 0) {
    const put = await on.api('PUT', `/tenants/${seeded.tenant.id}/magic-link`, {
      token: seeded.owner.token,
      body: { redirect_urls: urls },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  }
  return seeded;
}

const seeded = await magicTenant(server, [APP, 'http://localhost:5173/magic?app=web']);
const { tenant } = seeded;

const requestLink = (email: string, extra: object = {}, tenantCode = tenant.code) =>
  api('POST', '/auth/magic-link/request', { body: { email, tenant_code: tenantCode, ...extra } });
const login = (token: string, tenantCode = tenant.code) =>
  api('POST', '/auth/login', { body: { provider: 'magic_link', token, tenant_code: tenantCode } });

describe('magic links', () => {
  it('mails a link to the registered URL; the token signs in once (amr otp, email proven, account created)', async () => {
    const email = uniqueEmail('magic');
    const response = await requestLink(email);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const { token, link, expires_at } = response.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link).toBe(`${APP}?token=${token}`);
    expect(new Date(expires_at).getTime() - clock.now().getTime()).toBe(900_000);

    const row = await server.db.records('magicLinks').one({ email });
    expect(row.tokenHash).not.toContain(token);

    const signedIn = await login(token);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.person).toMatchObject({ email, email_verified: true });
    expect(decodeJwt(signedIn.body.token).amr).toEqual(['otp']);
    expectProblem(await login(token), 401, 'magic_link_invalid');
  });

  it('keeps the query of the chosen redirect URL and refuses URLs the tenant did not register', async () => {
    const email = uniqueEmail('magic');
    const chosen = await requestLink(email, { redirect_url: 'http://localhost:5173/magic?app=web' });
    expect(chosen.body.link).toBe(`http://localhost:5173/magic?app=web&token=${chosen.body.token}`);
    const foreign = await requestLink(email, { redirect_url: 'https://evil.example/steal' });
    expectProblem(foreign, 400, 'validation_failed');
    expect(foreign.body.errors[0].path).toBe('body.redirect_url');
    expectProblem(
      await requestLink(email, { redirect_url: 'javascript:alert(1)' }),
      400,
      'validation_failed',
    );
  });

  it('stops working after 15 minutes', async () => {
    const { token } = (await requestLink(uniqueEmail('magic'))).body;
    clock.advance(901);
    expectProblem(await login(token), 401, 'magic_link_invalid');
  });

  it('works until the last second of its 15 minutes', async () => {
    const { token } = (await requestLink(uniqueEmail('magic'))).body;
    clock.advance(899);
    expect((await login(token)).status).toBe(200);
  });

  it('a new link supersedes the previous one', async () => {
    const email = uniqueEmail('magic');
    const first = (await requestLink(email)).body.token;
    const second = (await requestLink(email)).body.token;
    expectProblem(await login(first), 401, 'magic_link_invalid');
    expect((await login(second)).status).toBe(200);
  });

  it("is bound to its tenant: another tenant's code neither accepts nor spends it", async () => {
    const other = await magicTenant();
    const email = uniqueEmail('magic');
    const { token } = (await requestLink(email, {}, other.tenant.code)).body;
    expectProblem(await login(token), 401, 'magic_link_invalid');
    expect((await login(token, other.tenant.code)).status).toBe(200);
  });

  it('one link opened twice at once signs in once', async () => {
    const { token } = (await requestLink(uniqueEmail('magic'))).body;
    const results = await Promise.all([login(token), login(token), login(token)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('at most 5 links per email in 15 minutes (429 + Retry-After), the same for unknown emails', async () => {
    const known = uniqueEmail('magic');
    expect((await login((await requestLink(known)).body.token)).status).toBe(200);
    const unknown = uniqueEmail('nobody');
    for (const email of [known, unknown]) {
      for (let i = 0; i < (email === known ? 4 : 5); i++) expect((await requestLink(email)).status).toBe(200);
      const sixth = await requestLink(email);
      expectProblem(sixth, 429, 'rate_limited');
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    clock.advance(901);
    expect((await requestLink(known)).status).toBe(200);
  });

  it('a tenant without magic links or without a redirect URL refuses the request', async () => {
    const otpOnly = await seedAdminTenant(server);
    expectProblem(await requestLink(uniqueEmail(), {}, otpOnly.tenant.code), 403, 'provider_not_allowed');
    expectProblem(await login('a'.repeat(43), otpOnly.tenant.code), 403, 'provider_not_allowed');
    const unconfigured = await magicTenant(server, []);
    expectProblem(await requestLink(uniqueEmail(), {}, unconfigured.tenant.code), 400, 'bad_request');
  });

  it('bad input is a 400', async () => {
    expectProblem(await login('short'), 400, 'validation_failed');
    expectProblem(await requestLink('not-an-email'), 400, 'validation_failed');
    expectProblem(
      await api('POST', '/auth/magic-link/request', {
        body: { email: uniqueEmail(), tenant_code: tenant.code, x: 1 },
      }),
      400,
      'validation_failed',
    );
  });
});

describe('magic-link settings (PUT/GET /tenants/{id}/magic-link)', () => {
  it('an admin sets https URLs (http only on localhost); members may read, not write; other tenants are 404', async () => {
    const path = `/tenants/${tenant.id}/magic-link`;
    expect((await api('GET', path, { apiKey: seeded.apiKey })).body).toEqual({
      redirect_urls: [APP, 'http://localhost:5173/magic?app=web'],
    });
    for (const bad of [
      'http://app.acme.test/x',
      'https://app.acme.test/x#frag',
      'ftp://x.test/',
      'https://u:p@x.test/',
    ]) {
      expectProblem(
        await api('PUT', path, { apiKey: seeded.apiKey, body: { redirect_urls: [bad] } }),
        400,
        'validation_failed',
      );
    }
    expectProblem(
      await api('PUT', path, { apiKey: seeded.apiKey, body: { redirect_urls: [APP, APP] } }),
      400,
      'validation_failed',
    );
    const member = await seeded.addAccount('member');
    expect((await api('GET', path, { token: member.token })).status).toBe(200);
    expectProblem(
      await api('PUT', path, { token: member.token, body: { redirect_urls: [APP] } }),
      403,
      'forbidden',
    );
    const other = await seedAdminTenant(server, 'Other');
    expectProblem(await api('GET', path, { apiKey: other.apiKey }), 404, 'not_found');
  });
});

describe('production mode (real SMTP)', async () => {
  const sink = await startSmtpSink();
  afterAll(() => sink.close());
  const production = await startServer({
    clock,
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      ENFORCER_ISSUER: 'https://enforcer.test/api/v1/enforcer',
      ENFORCER_MASTER_KEY: Buffer.alloc(32, 5).toString('base64'),
      SMTP_URL: sink.url,
    },
  });
  const prod = await magicTenant(production);

  it('answers the same for known and unknown emails, without the token; the mailed link signs in', async () => {
    const known = uniqueEmail('known');
    const request = (email: string) =>
      production.api('POST', '/auth/magic-link/request', { body: { email, tenant_code: prod.tenant.code } });
    await request(known);
    const first = await sink.waitFor((m) => m.to.includes(known));
    // The body may be quoted-printable (long lines are soft-wrapped, `=` is `=3D`).
    const body = first.data
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    const token = /\?token=([A-Za-z0-9_-]{43})/.exec(body)?.[1];
    expect(token).toBeDefined();
    expect(
      (
        await production.api('POST', '/auth/login', {
          body: { provider: 'magic_link', token, tenant_code: prod.tenant.code },
        })
      ).status,
    ).toBe(200);

    const a = await request(known);
    const b = await request(uniqueEmail('nobody'));
    expect(a.status).toBe(200);
    expect(a.body).toEqual(b.body);
    expect(a.body.token).toBeUndefined();
    expect(a.body.link).toBeUndefined();
    expect(first.data).toMatch(/^Subject: Sign in to Acme Pay$/m);
    expect(first.data.split('\r\n\r\n')[0]).not.toContain(token!);
  });
});
