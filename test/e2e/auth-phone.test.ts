import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@enforcer/server/testing';
import { http, passthrough } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { expectProblem, requestCode, wrongCode } from './auth-fixtures.js';
import { lastAudit, letThrough, methodTenant, startMsw } from './auth-methods-fixtures.js';
import { startServer } from './harness.js';

// The SMS gateway is a real HTTP server on loopback: it records what the server posts and answers as the
// test says. (Not an MSW handler: after MSW answers an intercepted https request, this Node's WebCrypto
// AES jobs abort the process, and queued texts are sealed with AES-GCM.)
const API_KEY = 'sk_test_gateway_key';
const clock = new ManualClock(new Date());
const sent: Array<{
  authorization: string | null;
  contentType: string | null;
  body: { to: string; text: string; from?: string };
}> = [];
let gatewayStatus = 200;
const gateway = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    sent.push({
      authorization: req.headers.authorization ?? null,
      contentType: req.headers['content-type'] ?? null,
      body: JSON.parse(Buffer.concat(chunks).toString()),
    });
    if (gatewayStatus < 300) {
      res.writeHead(gatewayStatus, { 'content-type': 'application/json' }).end('{"id":"msg_1"}');
    } else res.writeHead(gatewayStatus).end('nope');
  });
});
await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise((resolve) => gateway.close(resolve)));
const GATEWAY = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/v1/messages`;
// Texts go through the outbox (docs/messaging.md): its worker runs here, looking every 50 ms.
const server = await startServer({
  clock,
  env: {
    SMS_GATEWAY_URL: GATEWAY,
    SMS_GATEWAY_API_KEY: API_KEY,
    SMS_FROM: 'Acme',
    MESSAGE_WORKER: 'true',
    MESSAGE_POLL_INTERVAL_MS: '50',
    MESSAGE_RETRY_BASE_MS: '1000',
  },
});
const { api, db } = server;
const msw = startMsw(
  server,
  http.all(`${new URL(GATEWAY).origin}/*`, () => passthrough()),
);
const tenant = await methodTenant(db, { providers: ['phone_otp', 'email_otp'], name: 'Acme Pay' });

/** Waits until the gateway has received `count` texts (the outbox worker sends them after the answer). */
async function sentCount(count: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (sent.length < count) {
    if (Date.now() > end) throw new Error(`the gateway received ${sent.length} texts, not ${count}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let counter = 0;
const uniquePhone = () =>
  `+4420${String(Date.now() % 100_000).padStart(5, '0')}${String(++counter).padStart(3, '0')}`;

const request = (phone: string, tenantCode: string | null = tenant.code) =>
  api('POST', '/auth/otp/request', { body: tenantCode ? { phone, tenant_code: tenantCode } : { phone } });
const login = (phone: string, otp: string, tenantCode = tenant.code) =>
  api('POST', '/auth/login', { body: { provider: 'phone_otp', phone, otp, tenant_code: tenantCode } });
/** A code for `phone`: to sign in to a tenant, or (`null`) only proving the number. */
async function code(phone: string, tenantCode: string | null = tenant.code): Promise<string> {
  const response = await request(phone, tenantCode);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.code;
}

describe('phone codes and the sign-in throttle', () => {
  it('counts wrong codes against the number (not only the client); a new code never resets the count', async () => {
    const phone = uniquePhone();
    let otp = await code(phone);
    for (let i = 0; i < 3; i++) expectProblem(await login(phone, wrongCode(otp)), 401, 'invalid_otp');
    otp = await code(phone);
    expectProblem(await login(phone, wrongCode(otp)), 401, 'invalid_otp'); // 4th
    otp = await code(phone);
    expectProblem(await login(phone, wrongCode(otp)), 429, 'otp_attempts_exceeded'); // 5th: the code is burnt
    clock.advance(601);
    otp = await code(phone);
    expectProblem(await login(phone, wrongCode(otp)), 429, 'rate_limited'); // 6th: the number is delayed
    expectProblem(await login(phone, otp), 429, 'rate_limited'); // even with the right code, until the delay ends
    clock.advance(30);
    expect((await login(phone, otp)).status).toBe(200);
  });
});

describe('phone codes over the HTTP SMS gateway', () => {
  it('posts the code to the gateway (JSON, bearer API key, sender), and answers like the email flow', async () => {
    const phone = uniquePhone();
    const before = sent.length;
    const response = await request(phone);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      sent: true,
      channel: 'sms',
      code: expect.stringMatching(/^\d{6}$/),
    });
    expect(new Date(response.body.expires_at).getTime() - clock.now().getTime()).toBe(600_000);
    await sentCount(before + 1);
    const message = sent.at(-1)!;
    expect(message.authorization).toBe(`Bearer ${API_KEY}`);
    expect(message.contentType).toMatch(/^application\/json/);
    expect(message.body).toEqual({
      to: phone,
      from: 'Acme',
      text: expect.stringContaining(response.body.code),
    });
    expect(message.body.text).toMatch(/^\d{6} is your Acme Pay code/);
    const row = await db.records('otpChallenges').one({ email: phone });
    expect(row.codeHash).not.toContain(response.body.code);
    expect((await lastAudit(db, 'auth.otp.requested'))?.details).toMatchObject({
      channel: 'sms',
      phone,
      purpose: 'phone_login',
    });
  });

  it('answers 200 when the gateway refuses the message, and the outbox sends it again later', async () => {
    const before = sent.length;
    gatewayStatus = 500;
    try {
      const phone = uniquePhone();
      const response = await request(phone);
      expect(response.status).toBe(200);
      await sentCount(before + 1);
      gatewayStatus = 200;
      // The retry is due after MESSAGE_RETRY_BASE_MS (±20%) of the server's clock: moved on until it is.
      const end = Date.now() + 10_000;
      while (sent.length < before + 2 && Date.now() < end) {
        clock.advance(2);
        await new Promise((r) => setTimeout(r, 100));
      }
      await sentCount(before + 2);
      expect(sent.slice(before).map((m) => m.body.to)).toEqual([phone, phone]);
      expect(sent.at(-1)!.body.text).toContain(response.body.code);
    } finally {
      gatewayStatus = 200;
    }
  });

  it('signs a new number up (a person without an email, keyed by the E.164 number), then in again', async () => {
    const phone = uniquePhone();
    const first = await login(phone, await code(phone));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.person.email).toBeNull();
    const second = await login(phone, await code(phone));
    expect(second.body.person.id).toBe(first.body.person.id);
    const methods = await api('GET', '/auth/identities', { token: second.body.token });
    expect(methods.body.data).toEqual([expect.objectContaining({ provider: 'phone_otp', subject: phone })]);
  });

  it('normalises the number: spaces, dashes and parentheses do not make another person', async () => {
    const phone = uniquePhone();
    const pretty = `${phone.slice(0, 3)} (${phone.slice(3, 6)}) ${phone.slice(6, 9)}-${phone.slice(9)}`;
    const first = await login(phone, await code(pretty));
    expect(first.status).toBe(200);
    const second = await login(pretty, await code(phone));
    expect(second.body.person.id).toBe(first.body.person.id);
  });

  it('follows the one-time code rules: single use, ten minutes, five wrong tries', async () => {
    const phone = uniquePhone();
    const once = await code(phone);
    expect((await login(phone, once)).status).toBe(200);
    expectProblem(await login(phone, once), 401, 'invalid_otp');

    const late = await code(phone);
    clock.advance(601);
    expectProblem(await login(phone, late), 401, 'invalid_otp');

    const guessed = await code(phone);
    for (let i = 0; i < 4; i++) expectProblem(await login(phone, wrongCode(guessed)), 401, 'invalid_otp');
    expectProblem(await login(phone, wrongCode(guessed)), 429, 'otp_attempts_exceeded');
    expectProblem(await login(phone, guessed), 429, 'otp_attempts_exceeded');
    expectProblem(await request(phone), 429, 'otp_attempts_exceeded');
    clock.advance(601);
  });

  it('binds a code to its number, tenant and purpose', async () => {
    const phone = uniquePhone();
    const other = await methodTenant(db, { providers: ['phone_otp'] });
    const forOther = await code(phone, other.code);
    expectProblem(await login(phone, forOther), 401, 'invalid_otp');
    const forPhone = await code(phone);
    expectProblem(await login(uniquePhone(), forPhone), 401, 'invalid_otp');
    const proofOnly = await code(phone, null);
    expectProblem(await login(phone, proofOnly), 401, 'invalid_otp');
    // A phone code is not an email code either.
    const email = `p${Date.now()}@example.com`;
    const emailCode = await requestCode(api, email, tenant.code);
    expectProblem(await login(phone, emailCode), 401, 'invalid_otp');
    expect((await login(phone, forPhone)).status).toBe(200);
  });

  it('sends nothing for a tenant that does not accept phone codes, with the same answer; login there is 403', async () => {
    const emailOnly = await methodTenant(db, { providers: ['email_otp'] });
    const before = sent.length;
    const phone = uniquePhone();
    const response = await request(phone, emailOnly.code);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ sent: true, channel: 'sms' });
    expect(response.body.code).toBeUndefined();
    expect(sent.length).toBe(before);
    expectProblem(await login(phone, '123456', emailOnly.code), 403, 'provider_not_allowed');
  });

  it('answers bad input with 400 problems, an unknown tenant with 404', async () => {
    for (const body of [
      { phone: '4155550100' },
      { phone: '+0123456789' },
      { phone: '+1 415 555 0100 ext 2' },
      { phone: '+1415555010012345' },
      { phone: uniquePhone(), email: 'a@example.com' },
    ]) {
      expectProblem(await api('POST', '/auth/otp/request', { body }), 400, 'validation_failed');
    }
    expectProblem(
      await api('POST', '/auth/login', {
        body: { provider: 'phone_otp', phone: 'x', otp: '123456', tenant_code: tenant.code },
      }),
      400,
      'validation_failed',
    );
    expectProblem(await request(uniquePhone(), 'ZZZZ-ZZZZ-ZZZZ'), 404, 'not_found');
  });
});

describe('the development SMS adapter', () => {
  it('is used without a gateway: nothing leaves the process, the message is logged and kept', async () => {
    // A database of its own: the first server's worker would otherwise take its queued text.
    const dev = await startServer({ clock, env: { MESSAGE_WORKER: 'true', MESSAGE_POLL_INTERVAL_MS: '50' } });
    msw.use(letThrough(dev));
    const devTenant = await methodTenant(dev.db, { providers: ['phone_otp'], name: 'Dev Co' });
    // The development adapter keeps what it would have sent (a gateway keeps nothing: undefined).
    expect(dev.sentSms()).toBeDefined();
    const before = sent.length;
    const phone = uniquePhone();
    const response = await dev.api('POST', '/auth/otp/request', {
      body: { phone, tenant_code: devTenant.code },
    });
    expect(response.status).toBe(200);
    const end = Date.now() + 10_000;
    while (dev.sentSms()?.at(-1)?.to !== phone && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    expect(dev.sentSms()?.at(-1)).toEqual({
      to: phone,
      text: expect.stringContaining(response.body.code),
    });
    expect(sent.length).toBe(before);
    await dev.close();
  });
});

describe('SMS destinations a tenant allows (auth_settings.phone.allowed_calling_codes)', () => {
  it('set with PATCH /tenants/{id}: texts only numbers with an allowed calling code, refuses others with 403 before sending or counting', async () => {
    const strict = await methodTenant(db, { providers: ['phone_otp'] });
    const owner = await db.seedAccount({
      tenantId: strict.id,
      role: 'owner',
      email: `owner-${counter}@example.com`,
    });
    const session = await server.signIn({ accountId: owner.accountId });
    const patch = (body: unknown) =>
      api('PATCH', `/tenants/${strict.id}`, { token: session.accessToken, body: { auth_settings: body } });
    for (const bad of [
      { allowed_calling_codes: ['33'] },
      { allowed_calling_codes: [] },
      { allowed_calling_codes: ['+0'] },
    ]) {
      expectProblem(await patch({ phone: bad }), 400, 'validation_failed');
    }
    const patched = await patch({ phone: { allowed_calling_codes: ['+33', '+4420'] } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.auth_settings.phone).toEqual({ allowed_calling_codes: ['+33', '+4420'] });

    const before = sent.length;
    const allowed = await request(uniquePhone(), strict.code);
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
    await sentCount(before + 1);

    const premium = '+88213' + String(++counter).padStart(6, '0');
    const refused = await request(premium, strict.code);
    expectProblem(refused, 403, 'sms_destination_not_allowed');
    expect(sent.length).toBe(before + 1);
    expect(await db.records('otpChallenges').find({ email: premium })).toEqual([]);
    // +1 is allowed nowhere here: a Caribbean number of the North American plan is refused too.
    expectProblem(
      await request('+1242555' + String(++counter).padStart(4, '0'), strict.code),
      403,
      'sms_destination_not_allowed',
    );

    // Another tenant without the setting, and a code that only proves the number, still text anywhere.
    expect((await request(premium)).status).toBe(200);
    expect((await request(premium, null)).status).toBe(200);

    // null removes the block: every destination again.
    expect((await patch({ phone: null })).status).toBe(200);
    expect((await request(premium, strict.code)).status).toBe(200);
  });
});
