// The messaging module over HTTP (#16), with mail delivered through real SMTP servers started here
// (`smtp-server` on loopback): a tenant's own SMTP server (its password stored sealed, used to log in), its
// sender and locale; the deployment's server for tenants without one; tenant templates checked against
// their kind's variables; the preview; and the outbox: a sign-in code request is answered 200 at once
// while the tenant's server refuses the first attempt, and the code arrives once, on the retry.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, type SeededTenant, seedTenant, uniqueEmail } from './admin-setup.js';
import { startServer } from './harness.js';
import { headerOf, partOf, startTestSmtpServer } from './smtp-server.js';

const deployment = await startTestSmtpServer();
const tenantSmtp = await startTestSmtpServer({ users: { mailer: 'p@ss word!' } });
const server = await startServer({
  env: {
    SMTP_URL: deployment.url,
    MAIL_FROM: 'Enforcer <no-reply@enforcer.test>',
    MESSAGE_WORKER: 'true',
    MESSAGE_RETRY_BASE_MS: '300',
    MESSAGE_POLL_INTERVAL_MS: '100',
  },
});
const { api } = server;
let acme: SeededTenant;
let plain: SeededTenant;

beforeAll(async () => {
  acme = await seedTenant(server, 'Acme Pay');
  plain = await seedTenant(server, 'Plain Co');
});
afterAll(async () => {
  await deployment.close();
  await tenantSmtp.close();
});

const settingsPath = (t: SeededTenant) => `/tenants/${t.tenant.id}/messaging`;
const requestCode = (t: SeededTenant, email: string, locale?: string) =>
  api('POST', '/auth/otp/request', {
    body: { email, tenant_code: t.tenant.code, ...(locale ? { locale } : {}) },
  });
const codeIn = (text: string) => /^\s+(\d{6})\s*$/m.exec(text)?.[1];

describe('sender settings', () => {
  it('keep the SMTP password write-only (sealed), and need tenants.update to change', async () => {
    const url = `smtp://mailer:${encodeURIComponent('p@ss word!')}@127.0.0.1:${tenantSmtp.port}`;
    const put = expectOk(
      await api('PUT', settingsPath(acme), {
        token: acme.owner.token,
        body: { smtp_url: url, from: 'Acme Pay <login@acme.test>', default_locale: 'de' },
      }),
    );
    expect(put).toMatchObject({
      smtp_url: `smtp://mailer@127.0.0.1:${tenantSmtp.port}`,
      smtp_password_set: true,
      from: 'Acme Pay <login@acme.test>',
      default_locale: 'de',
      built_in_locales: expect.arrayContaining(['en', 'de']),
    });
    expect(JSON.stringify(put)).not.toContain('p@ss');
    const got = expectOk(await api('GET', settingsPath(acme), { apiKey: acme.apiKey }));
    expect(got).toEqual(put);
    const client = new pg.Client({ connectionString: server.db.url });
    await client.connect();
    const rows = await client
      .query('select * from "messaging_setting" where "tenant_id" = $1', [acme.tenant.id])
      .finally(() => client.end());
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].smtp_password_sealed).toEqual(expect.any(String));
    expect(JSON.stringify(rows.rows)).not.toContain('p@ss');
    const [event] = await server.db.auditEvents({
      action: 'tenant.messaging.updated',
      targetId: acme.tenant.id,
    });
    expect(event?.details).toMatchObject({ smtp_credential_changed: true, default_locale: 'de' });
    expect(JSON.stringify(event)).not.toContain('p@ss');

    expectProblem(
      await api('PUT', settingsPath(acme), { token: acme.member.token, body: { default_locale: 'en' } }),
      403,
      'forbidden',
    );
    // Another tenant's settings are a 404, as an unknown tenant's.
    expectProblem(await api('GET', settingsPath(plain), { token: acme.owner.token }), 404, 'not_found');
    const bad = expectProblem(
      await api('PUT', settingsPath(acme), { token: acme.owner.token, body: { smtp_url: 'http://x' } }),
      400,
      'validation_failed',
    );
    expect(bad.errors?.[0]?.path).toBe('body.smtp_url');
  });
});

describe('sign-in codes go through the outbox', () => {
  it("answer 200 at once while the tenant's server refuses, then arrive once, on the retry, in the tenant's locale and sender", async () => {
    const email = uniqueEmail('retry');
    tenantSmtp.refuseNext(1);
    const before = { accepted: tenantSmtp.accepted.length, refused: tenantSmtp.refused };
    const response = await requestCode(acme, email);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ sent: true, channel: 'email' });
    // Answered before any attempt succeeded: the request never waits on the mail server.
    expect(tenantSmtp.accepted.length).toBe(before.accepted);

    // The refused attempt leaves the message queued, sealed: neither the code nor the address in clear.
    await waitUntil(() => tenantSmtp.refused > before.refused);
    const client = new pg.Client({ connectionString: server.db.url });
    await client.connect();
    try {
      const queued = await client.query<{ payload_sealed: string; attempts: number }>(
        'select "payload_sealed", "attempts" from "outbound_message" where "tenant_id" = $1',
        [acme.tenant.id],
      );
      expect(queued.rows).toHaveLength(1);
      expect(queued.rows[0]!.attempts).toBe(1);
      expect(queued.rows[0]!.payload_sealed).not.toContain(email);
      if (response.body.code) expect(queued.rows[0]!.payload_sealed).not.toContain(response.body.code);

      const mail = await tenantSmtp.waitFor((m) => m.to.includes(email));
      expect(tenantSmtp.refused).toBe(before.refused + 1);
      expect(mail.user).toBe('mailer');
      expect(mail.from).toBe('login@acme.test');
      expect(headerOf(mail.raw, 'from')).toContain('Acme Pay');
      // German: the tenant's default locale; the tenant's name in the subject, the code in the body only.
      const subject = headerOf(mail.raw, 'subject')!;
      expect(subject).toBe('Ihr Anmeldecode für Acme Pay');
      const text = partOf(mail.raw, 'text/plain')!;
      const html = partOf(mail.raw, 'text/html')!;
      expect(text).toContain('Ihr Code für die Anmeldung bei Acme Pay');
      const code = codeIn(text);
      expect(code).toMatch(/^\d{6}$/);
      expect(subject).not.toContain(code);
      expect(html).toContain(code);
      if (response.body.code) expect(code).toBe(response.body.code);

      // Delivered: the outbox row (and its sealed body) is gone.
      await waitUntil(async () => {
        const left = await client.query('select 1 from "outbound_message" where "tenant_id" = $1', [
          acme.tenant.id,
        ]);
        return left.rows.length === 0;
      });
      // The code works; and the mail was delivered once, not again.
      expectOk(
        await api('POST', '/auth/login', {
          body: { provider: 'email_otp', email, otp: code, tenant_code: acme.tenant.code },
        }),
      );
      await new Promise((r) => setTimeout(r, 800));
      expect(tenantSmtp.accepted.filter((m) => m.to.includes(email))).toHaveLength(1);
      expect(deployment.accepted.filter((m) => m.to.includes(email))).toHaveLength(0);
    } finally {
      await client.end();
    }
  });

  it("go through the deployment's server for a tenant without one, in the locale the request asks for", async () => {
    const email = uniqueEmail('deploy');
    expect((await requestCode(plain, email, 'de-CH')).status).toBe(200);
    const mail = await deployment.waitFor((m) => m.to.includes(email));
    expect(mail.from).toBe('no-reply@enforcer.test');
    expect(headerOf(mail.raw, 'subject')).toBe('Ihr Anmeldecode für Plain Co');
    const english = uniqueEmail('deploy-en');
    expect((await requestCode(plain, english)).status).toBe(200);
    const en = await deployment.waitFor((m) => m.to.includes(english));
    expect(headerOf(en.raw, 'subject')).toBe('Your sign-in code for Plain Co');
    expect(codeIn(partOf(en.raw, 'text/plain')!)).toMatch(/^\d{6}$/);
  });
});

describe('magic links and password reset codes go through the outbox too', () => {
  it("with the tenant's sender, locale and templates", async () => {
    await server.db.updateTenant(acme.tenant.id, {
      authProviders: ['email_otp', 'magic_link', 'password'],
      allowSignup: true,
    });
    expectOk(
      await api('PUT', `/tenants/${acme.tenant.id}/magic-link`, {
        token: acme.owner.token,
        body: { redirect_urls: ['https://app.acme.test/magic'] },
      }),
    );
    const email = uniqueEmail('link');
    expectOk(
      await api('POST', '/auth/magic-link/request', { body: { email, tenant_code: acme.tenant.code } }),
    );
    const link = await tenantSmtp.waitFor((m) => m.to.includes(email));
    expect(link.from).toBe('login@acme.test');
    expect(headerOf(link.raw, 'subject')).toBe('Bei Acme Pay anmelden');
    const token = /\?token=([A-Za-z0-9_-]{43})/.exec(partOf(link.raw, 'text/plain')!)?.[1];
    expect(token).toBeDefined();
    expectOk(
      await api('POST', '/auth/login', {
        body: { provider: 'magic_link', token, tenant_code: acme.tenant.code },
      }),
    );

    const reset = uniqueEmail('reset');
    expectOk(
      await api('POST', '/auth/password/reset/request', {
        body: { email: reset, tenant_code: acme.tenant.code },
      }),
    );
    const mail = await tenantSmtp.waitFor((m) => m.to.includes(reset));
    expect(headerOf(mail.raw, 'subject')).toBe('Ihr Passwort für Acme Pay zurücksetzen');
    expect(codeIn(partOf(mail.raw, 'text/plain')!)).toMatch(/^\d{6}$/);
  });
});

describe('invites and codes without a tenant go through the outbox too', () => {
  it("answer at once while the tenant's server refuses, then arrive on the retry with the tenant's invite template", async () => {
    const email = uniqueEmail('invitee');
    tenantSmtp.refuseNext(1);
    const before = { accepted: tenantSmtp.accepted.length, refused: tenantSmtp.refused };
    const created = expectOk(
      await api('POST', `/tenants/${acme.tenant.id}/invites`, { apiKey: acme.apiKey, body: { email } }),
      201,
    );
    expect(created).toMatchObject({ email, mailed: true });
    expect(tenantSmtp.accepted.length).toBe(before.accepted);
    const mail = await tenantSmtp.waitFor((m) => m.to.includes(email));
    expect(tenantSmtp.refused).toBe(before.refused + 1);
    expect(mail.from).toBe('login@acme.test');
    expect(headerOf(mail.raw, 'subject')).toBe('Einladung zu Acme Pay');
    const text = partOf(mail.raw, 'text/plain')!;
    expect(text).toContain(`Einladungscode ein: ${created.code}`);
    expect(text).toContain(`invite_code=${created.code}`);
    await new Promise((r) => setTimeout(r, 600));
    expect(tenantSmtp.accepted.filter((m) => m.to.includes(email))).toHaveLength(1);
  });

  it("a code proving an address (no tenant) leaves through the deployment's server with the built-in text", async () => {
    const email = uniqueEmail('proof');
    deployment.refuseNext(1);
    const response = await api('POST', '/auth/otp/request', { body: { email } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ sent: true, channel: 'email' });
    const mail = await deployment.waitFor((m) => m.to.includes(email));
    expect(headerOf(mail.raw, 'subject')).toBe('Your verification code');
    expect(codeIn(partOf(mail.raw, 'text/plain')!)).toBe(response.body.code);
    expect(await queuedCount(null)).toBe(0);
  });
});

describe('notices', () => {
  const mac =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
  const macUpdated = mac.replace('Chrome/126.0', 'Chrome/127.0');
  const windows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
  const signInFrom = async (email: string, userAgent: string) => {
    const { code } = expectOk(await requestCode(acme, email));
    return expectOk(
      await api('POST', '/auth/login', {
        headers: { 'user-agent': userAgent },
        body: { provider: 'email_otp', email, otp: code, tenant_code: acme.tenant.code },
      }),
    );
  };
  const noticesTo = (email: string, subject: string) =>
    tenantSmtp.accepted.filter((m) => m.to.includes(email) && headerOf(m.raw, 'subject') === subject);

  it('new_device: sent when an account signs in from a device it has not used, never at its first sign-in or for a browser update', async () => {
    const email = uniqueEmail('device');
    await signInFrom(email, mac); // the first sign-in: nothing to compare with
    await signInFrom(email, macUpdated); // the same device (Chrome on macOS), a newer browser
    await signInFrom(email, windows); // a new one
    const mail = await tenantSmtp.waitFor(
      (m) => m.to.includes(email) && headerOf(m.raw, 'subject') === 'Neue Anmeldung bei Acme Pay',
    );
    expect(mail.from).toBe('login@acme.test');
    const text = partOf(mail.raw, 'text/plain')!;
    expect(text).toContain('(Firefox on Windows, 127.0.0.1)');
    expect(partOf(mail.raw, 'text/html')).toContain('Firefox on Windows');
    // Once again from a device it has used: nothing more.
    await signInFrom(email, windows);
    await signInFrom(email, mac);
    await new Promise((r) => setTimeout(r, 800));
    expect(noticesTo(email, 'Neue Anmeldung bei Acme Pay')).toHaveLength(1);
  });

  it('deletion_pending: sent when the person schedules their deletion, naming the day it is due', async () => {
    const email = uniqueEmail('leaving');
    const session = await signInFrom(email, mac);
    const requested = expectOk(
      await api('POST', '/auth/me/deletion', { token: session.token, body: {} }),
      201,
    );
    const mail = await tenantSmtp.waitFor(
      (m) => m.to.includes(email) && headerOf(m.raw, 'subject') === 'Ihr Konto bei Acme Pay wird gelöscht',
    );
    expect(partOf(mail.raw, 'text/plain')).toContain(
      `wird am ${requested.scheduled_for.slice(0, 10)} gelöscht`,
    );
    // Asking again answers the pending request: no second notice.
    expectOk(await api('POST', '/auth/me/deletion', { token: session.token, body: {} }));
    await new Promise((r) => setTimeout(r, 800));
    expect(noticesTo(email, 'Ihr Konto bei Acme Pay wird gelöscht')).toHaveLength(1);
  });
});

describe("a tenant's own SMS gateway, through the outbox", () => {
  it('answers the code request at once while the gateway answers 500, then delivers the text once, on the retry, with its token, sender id and template', async () => {
    const attempts: {
      authorization: string | undefined;
      body: { to: string; text: string; from?: string };
    }[] = [];
    let failNext = 1;
    let accepted = 0;
    const gateway = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        attempts.push({
          authorization: req.headers.authorization,
          body: JSON.parse(Buffer.concat(chunks).toString()),
        });
        if (failNext > 0) {
          failNext -= 1;
          res.writeHead(500).end('busy');
          return;
        }
        accepted += 1;
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"m1"}');
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const port = (gateway.address() as AddressInfo).port;
      const texting = await seedTenant(server, 'Texting Co');
      await server.db.updateTenant(texting.tenant.id, { authProviders: ['phone_otp'], allowSignup: true });
      const put = expectOk(
        await api('PUT', settingsPath(texting), {
          apiKey: texting.apiKey,
          body: {
            sms_gateway_url: `http://127.0.0.1:${port}/sms`,
            sms_gateway_token: 'gw-token-123456',
            sms_from: 'Texting',
            default_locale: 'de',
          },
        }),
      );
      expect(put).toMatchObject({
        sms_gateway_url: `http://127.0.0.1:${port}/sms`,
        sms_gateway_token_set: true,
        sms_from: 'Texting',
        smtp_url: null,
      });
      expect(JSON.stringify(put)).not.toContain('gw-token');
      // The tenant's own SMS template (German: its default locale), checked against the kind's variables.
      expectProblem(
        await api('PUT', `/tenants/${texting.tenant.id}/messaging/templates/sms_otp_code/de`, {
          apiKey: texting.apiKey,
          body: { text: '{{link}}' },
        }),
        400,
        'template_invalid',
      );
      expectProblem(
        await api('PUT', `/tenants/${texting.tenant.id}/messaging/templates/sms_otp_code/de`, {
          apiKey: texting.apiKey,
          body: { subject: 'no subjects in texts', text: '{{code}}' },
        }),
        400,
        'validation_failed',
      );
      expect(
        expectOk(
          await api('PUT', `/tenants/${texting.tenant.id}/messaging/templates/sms_otp_code/de`, {
            apiKey: texting.apiKey,
            body: { text: '{{tenant_name}}: Ihr Code {{code}} ({{expires_minutes}} Min.)' },
          }),
        ),
      ).toMatchObject({ channel: 'sms', subject: '', html: null, source: 'tenant' });

      const phone = `+4420${String(Date.now() % 100_000).padStart(5, '0')}777`;
      const sent = expectOk(
        await api('POST', '/auth/otp/request', { body: { phone, tenant_code: texting.tenant.code } }),
      );
      // Answered before the gateway accepted anything: its first answer is a 500.
      expect(accepted).toBe(0);
      await waitUntil(() => accepted === 1);
      expect(attempts.map((a) => a.body.to)).toEqual([phone, phone]);
      expect(attempts[1]!.authorization).toBe('Bearer gw-token-123456');
      expect(attempts[1]!.body).toEqual({
        to: phone,
        from: 'Texting',
        text: `Texting Co: Ihr Code ${sent.code} (10 Min.)`,
      });
      // Delivered once: the row is gone and no third attempt comes.
      await waitUntil(async () => (await queuedCount(texting.tenant.id)) === 0);
      await new Promise((r) => setTimeout(r, 600));
      expect(attempts).toHaveLength(2);
      expect(accepted).toBe(1);

      // Cleared: the deployment's gateway (the development log here) sends again.
      expectOk(
        await api('PUT', settingsPath(texting), { apiKey: texting.apiKey, body: { sms_gateway_url: null } }),
      );
      expectOk(await api('POST', '/auth/otp/request', { body: { phone, tenant_code: texting.tenant.code } }));
      await waitUntil(async () => (await queuedCount(texting.tenant.id)) === 0);
      expect(attempts).toHaveLength(2);
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }
  });
});

describe('templates', () => {
  const path = (t: SeededTenant, kind: string, locale: string) =>
    `/tenants/${t.tenant.id}/messaging/templates/${kind}/${locale}`;

  it('refuse variables the kind does not have (400 template_invalid), and a saved one is what the mail says', async () => {
    const refused = expectProblem(
      await api('PUT', path(plain, 'otp_code', 'en'), {
        apiKey: plain.apiKey,
        body: { subject: 'Hi', text: 'Open {{link}} for {{code}}' },
      }),
      400,
      'template_invalid',
    );
    expect(refused.errors?.[0]).toMatchObject({ path: 'body.text' });
    expectProblem(
      await api('PUT', path(plain, 'otp_code', 'en'), {
        apiKey: plain.apiKey,
        body: { subject: '{{#if code}}x{{/if}}', text: '{{code}}' },
      }),
      400,
      'template_invalid',
    );
    const saved = expectOk(
      await api('PUT', path(plain, 'otp_code', 'en'), {
        apiKey: plain.apiKey,
        body: {
          subject: '{{tenant_name}}: your code',
          text: 'Code for {{recipient}}:\n\n    {{code}}\n',
          html: '<p>{{tenant_name}} code <b>{{code}}</b></p>',
        },
      }),
    );
    expect(saved).toMatchObject({
      source: 'tenant',
      locale: 'en',
      variables: expect.arrayContaining(['code']),
    });
    const email = uniqueEmail('custom');
    expect((await requestCode(plain, email, 'en')).status).toBe(200);
    const mail = await deployment.waitFor((m) => m.to.includes(email));
    expect(headerOf(mail.raw, 'subject')).toBe('Plain Co: your code');
    expect(partOf(mail.raw, 'text/plain')).toContain(`Code for ${email}:`);

    expect((await api('DELETE', path(plain, 'otp_code', 'en'), { apiKey: plain.apiKey })).status).toBe(204);
    expect(expectOk(await api('GET', path(plain, 'otp_code', 'en'), { apiKey: plain.apiKey })).source).toBe(
      'built_in',
    );
    expectProblem(
      await api('DELETE', path(plain, 'otp_code', 'en'), { apiKey: plain.apiKey }),
      404,
      'not_found',
    );
    expectProblem(
      await api('PUT', path(plain, 'otp_code', 'en'), {
        token: plain.member.token,
        body: { subject: 'x', text: 'y' },
      }),
      403,
      'forbidden',
    );
  });

  it('preview renders with sample values (HTML escaped) and sends nothing', async () => {
    const sent = deployment.accepted.length + tenantSmtp.accepted.length;
    const preview = expectOk(
      await api('POST', `/tenants/${acme.tenant.id}/messaging/preview`, {
        apiKey: acme.apiKey,
        body: {
          kind: 'magic_link',
          variables: { link: 'https://app.test/?a=1&b=<2>', expires_minutes: '15' },
        },
      }),
    );
    expect(preview).toMatchObject({ kind: 'magic_link', locale: 'de', subject: 'Bei Acme Pay anmelden' });
    expect(preview.text).toContain('https://app.test/?a=1&b=<2>');
    expect(preview.html).toContain('https://app.test/?a=1&amp;b=&lt;2&gt;');
    expectProblem(
      await api('POST', `/tenants/${acme.tenant.id}/messaging/preview`, {
        apiKey: acme.apiKey,
        body: { kind: 'magic_link', variables: { code: '1' } },
      }),
      400,
      'template_invalid',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(deployment.accepted.length + tenantSmtp.accepted.length).toBe(sent);
  });
});

describe('in production', () => {
  it('refuses a tenant SMTP server on a private or loopback address', async () => {
    const production = await startServer({
      shareDatabaseWith: server,
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        ENFORCER_ISSUER: 'https://enforcer.test/api/v1/enforcer',
        ENFORCER_MASTER_KEY: server.config.masterKey.toString('base64'),
        SMTP_URL: deployment.url,
        MESSAGE_WORKER: 'false',
      },
    });
    try {
      const owner = await production.signIn({ accountId: plain.owner.accountId, amr: ['otp'] });
      const refused = expectProblem(
        await production.api('PUT', settingsPath(plain), {
          token: owner.accessToken,
          body: { smtp_url: `smtp://127.0.0.1:${tenantSmtp.port}` },
        }),
        400,
        'validation_failed',
      );
      expect(refused.errors?.[0]?.path).toBe('body.smtp_url');
      const gateway = expectProblem(
        await production.api('PUT', settingsPath(plain), {
          token: owner.accessToken,
          body: { sms_gateway_url: 'http://127.0.0.1:9/sms' },
        }),
        400,
        'validation_failed',
      );
      expect(gateway.errors?.[0]?.path).toBe('body.sms_gateway_url');
    } finally {
      await production.close();
    }
  });
});

/** Messages of the tenant waiting in the outbox. */
async function queuedCount(tenantId: string | null): Promise<number> {
  const client = new pg.Client({ connectionString: server.db.url });
  await client.connect();
  try {
    const rows = await client.query(
      tenantId === null
        ? 'select 1 from "outbound_message" where "tenant_id" is null'
        : 'select 1 from "outbound_message" where "tenant_id" = $1',
      tenantId === null ? [] : [tenantId],
    );
    return rows.rows.length;
  } finally {
    await client.end();
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
