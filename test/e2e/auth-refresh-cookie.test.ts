// The refresh-token cookie mode (#18): a browser client that sends `Enforcer-Refresh-Cookie: 1` gets its
// refresh token in an HttpOnly cookie scoped to the refresh and logout routes, never in the JSON; refresh and
// logout read it from the cookie, guarded against CSRF by that header and the session's tenant's origins.
import { ManualClock } from '@enforcer/server/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, type SeededTenant, seedTenant } from './admin-setup.js';
import { expectProblem, requestCode, uniqueEmail } from './auth-fixtures.js';
import { startServer } from './harness.js';

const clock = new ManualClock(new Date());
const server = await startServer({
  clock,
  env: { REFRESH_TOKEN_GRACE: '10', ENFORCER_CORS_ORIGINS: 'https://console.example.net' },
});
const { api } = server;
const appOrigin = 'https://app.acme-bank.example';
const COOKIE = '__Secure-enforcer-refresh';
const opt = { 'enforcer-refresh-cookie': '1' };
let t: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
  other = await seedTenant(server, 'Other Bank');
  expectOk(
    await api('PATCH', `/tenants/${t.tenant.id}`, {
      token: t.owner.token,
      body: { allowed_origins: [appOrigin] },
    }),
  );
  expectOk(
    await api('PATCH', `/tenants/${other.tenant.id}`, {
      token: other.owner.token,
      body: { allowed_origins: ['https://other-bank.example'] },
    }),
  );
});

interface ParsedCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

/** Every Set-Cookie of an answer, parsed as a browser reads it. */
function setCookies(headers: Headers): ParsedCookie[] {
  return headers.getSetCookie().map((line) => {
    const [pair, ...rest] = line.split(';').map((part) => part.trim());
    const at = pair!.indexOf('=');
    const attributes: Record<string, string | true> = {};
    for (const part of rest) {
      const eq = part.indexOf('=');
      if (eq === -1) attributes[part.toLowerCase()] = true;
      else attributes[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
    }
    return { name: pair!.slice(0, at), value: pair!.slice(at + 1), attributes };
  });
}

/** The refresh cookie's value, checking that every path got the same one. */
function refreshCookieValue(headers: Headers): string {
  const cookies = setCookies(headers).filter((c) => c.name === COOKIE);
  expect(cookies.map((c) => c.attributes.path).sort()).toEqual([
    '/api/v1/enforcer/auth/logout',
    '/api/v1/enforcer/auth/refresh',
  ]);
  expect(new Set(cookies.map((c) => c.value)).size).toBe(1);
  return cookies[0]!.value;
}

async function cookieSignIn(tenantCode = t.tenant.code) {
  const email = uniqueEmail();
  const otp = await requestCode(api, email, tenantCode);
  return api('POST', '/auth/login', {
    headers: opt,
    body: { provider: 'email_otp', email, otp, tenant_code: tenantCode },
  });
}

const refreshByCookie = (cookie: string, headers: Record<string, string> = { ...opt, origin: appOrigin }) =>
  api('POST', '/auth/refresh', { headers: { ...headers, cookie: `${COOKIE}=${cookie}` }, body: {} });

describe('sign-in in the cookie mode', () => {
  it('sets the refresh token as a __Secure- HttpOnly SameSite=Strict cookie per route, never in the JSON', async () => {
    const login = await cookieSignIn();
    expect(login.status).toBe(200);
    expect(login.body.token).toEqual(expect.any(String));
    expect(login.body).not.toHaveProperty('refresh_token');
    expect(login.headers.get('cache-control')).toBe('no-store');
    const cookies = setCookies(login.headers);
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) {
      expect(cookie.name).toBe(COOKIE);
      expect(cookie.value.length).toBeGreaterThan(20);
      expect(cookie.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Strict' });
      expect(cookie.attributes).not.toHaveProperty('domain');
      expect(Number(cookie.attributes['max-age'])).toBe(server.config.tokens.refreshAbsoluteTtlSeconds);
    }
    refreshCookieValue(login.headers);
  });

  it('without the header, sign-in answers the refresh token in the JSON and sets no cookie', async () => {
    const email = uniqueEmail();
    const otp = await requestCode(api, email, t.tenant.code);
    const login = await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email, otp, tenant_code: t.tenant.code },
    });
    expect(login.body.refresh_token).toEqual(expect.any(String));
    expect(login.headers.getSetCookie()).toEqual([]);
  });
});

describe('POST /auth/refresh by cookie', () => {
  it('rotates: the successor is set in the cookie, the answer has no refresh_token, the spent one is refused', async () => {
    const login = await cookieSignIn();
    const first = refreshCookieValue(login.headers);
    const refreshed = await refreshByCookie(first);
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body).not.toHaveProperty('refresh_token');
    expect(refreshed.body.account.id).toBe(login.body.account.id);
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
    const second = refreshCookieValue(refreshed.headers);
    expect(second).not.toBe(first);
    const me = expectOk(await api('GET', '/auth/me', { token: refreshed.body.token }));
    expect(me.account.id).toBe(login.body.account.id);

    // Reuse detection holds for cookies too: past the grace window, the spent one ends the family.
    clock.advance(11);
    expectProblem(await refreshByCookie(first), 401, 'refresh_token_reused');
    expectProblem(await refreshByCookie(second), 401, 'refresh_token_invalid');
    expectProblem(await api('GET', '/auth/me', { token: refreshed.body.token }), 401, 'token_invalid');
  });

  it('also from a deployment-wide origin (ENFORCER_CORS_ORIGINS)', async () => {
    const login = await cookieSignIn();
    const refreshed = await refreshByCookie(refreshCookieValue(login.headers), {
      ...opt,
      origin: 'https://console.example.net',
    });
    expect(refreshed.status).toBe(200);
  });

  it('refuses a cookie-authenticated refresh without the header, without Origin, or from a foreign origin (403 csrf_check_failed)', async () => {
    const login = await cookieSignIn();
    const cookie = refreshCookieValue(login.headers);
    expectProblem(await refreshByCookie(cookie, { origin: appOrigin }), 403, 'csrf_check_failed');
    expectProblem(await refreshByCookie(cookie, { ...opt }), 403, 'csrf_check_failed');
    expectProblem(await refreshByCookie(cookie, { ...opt, origin: 'null' }), 403, 'csrf_check_failed');
    expectProblem(
      await refreshByCookie(cookie, { ...opt, origin: 'https://evil.example' }),
      403,
      'csrf_check_failed',
    );
    // Allowed by another tenant is not enough: the origin must be the session's own tenant's.
    expectProblem(
      await refreshByCookie(cookie, { ...opt, origin: 'https://other-bank.example' }),
      403,
      'csrf_check_failed',
    );
    // None of the refusals spent the token.
    expect((await refreshByCookie(cookie)).status).toBe(200);
  });

  it('with neither a body token nor a cookie: 401 refresh_token_invalid', async () => {
    const answer = await api('POST', '/auth/refresh', { headers: { ...opt, origin: appOrigin }, body: {} });
    expectProblem(answer, 401, 'refresh_token_invalid');
  });

  it('a body token still works as before (and wins over a cookie)', async () => {
    const login = await cookieSignIn();
    const viaCookie = refreshCookieValue(login.headers);
    const plain = await api('POST', '/auth/login', {
      body: {
        provider: 'email_otp',
        email: login.body.person.email,
        otp: await requestCode(api, login.body.person.email, t.tenant.code),
        tenant_code: t.tenant.code,
      },
    });
    const answer = await api('POST', '/auth/refresh', {
      headers: { cookie: `${COOKIE}=${viaCookie}` },
      body: { refresh_token: plain.body.refresh_token },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.refresh_token).toEqual(expect.any(String));
    expect(answer.headers.getSetCookie()).toEqual([]);
  });
});

describe('POST /auth/logout by cookie', () => {
  it('ends the cookie session and clears the cookie on both paths', async () => {
    const login = await cookieSignIn();
    const cookie = refreshCookieValue(login.headers);
    const out = await api('POST', '/auth/logout', {
      headers: { ...opt, origin: appOrigin, cookie: `${COOKIE}=${cookie}` },
      body: {},
    });
    expect(out.status).toBe(204);
    const cleared = setCookies(out.headers);
    expect(cleared.map((c) => c.attributes.path).sort()).toEqual([
      '/api/v1/enforcer/auth/logout',
      '/api/v1/enforcer/auth/refresh',
    ]);
    for (const c of cleared) {
      expect(c.value).toBe('');
      expect(c.attributes['max-age']).toBe('0');
    }
    expectProblem(await refreshByCookie(cookie), 401, 'refresh_token_invalid');
    expectProblem(await api('GET', '/auth/me', { token: login.body.token }), 401, 'token_invalid');
    const events = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'auth.logout' });
    expect(events.some((e) => e.targetType === 'session' && e.details?.scope === 'session')).toBe(true);
  });

  it('refuses a cookie logout without the header or from a foreign origin; the session lives on', async () => {
    const login = await cookieSignIn();
    const cookie = refreshCookieValue(login.headers);
    const logout = (headers: Record<string, string>) =>
      api('POST', '/auth/logout', { headers: { ...headers, cookie: `${COOKIE}=${cookie}` }, body: {} });
    expectProblem(await logout({ origin: 'https://evil.example', ...opt }), 403, 'csrf_check_failed');
    expectProblem(await logout({ ...opt }), 403, 'csrf_check_failed');
    expectProblem(await logout({ origin: appOrigin }), 403, 'csrf_check_failed');
    expect((await refreshByCookie(cookie)).status).toBe(200);
  });
});

describe('CORS for the cookie mode', () => {
  it('a preflight from an allowed origin permits the header and credentials', async () => {
    const answer = await fetch(`${server.baseUrl}/auth/refresh`, {
      method: 'OPTIONS',
      headers: {
        origin: appOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,enforcer-refresh-cookie',
      },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(appOrigin);
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
    expect(answer.headers.get('access-control-allow-headers')).toMatch(/enforcer-refresh-cookie/);
  });
});
