import type { MessagePreview, MessageTemplate, MessagingSettings } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import { webCryptoRandom } from '../platform.js';
import { appErrorOf as refusal } from '../testing/memory-fixture.js';
import { deliverDueMessages, type MailSender } from './deliver.js';
import { messagingFixture } from './handlers-fixture.js';
import { queueMail, smsGatewayTokenAad, smtpPasswordAad } from './outbox.js';

const _client = { ip: null, userAgent: null };

const setup = () => messagingFixture({ name: 'Acme <Pay>', theme: { primary: '#ff0000' } });

const settingsOf = (r: { body: unknown }) => r.body as MessagingSettings;
const templateOf = (r: { body: unknown }) => r.body as MessageTemplate;
const previewOf = async (r: Promise<{ body: unknown }>) => (await r).body as MessagePreview;

describe('messagingHandlers', () => {
  it('stores the SMTP password sealed (also when given in the URL) and never answers it', async () => {
    const { handlers, tenant, ctx, db, sealer } = setup();
    const put = await handlers.putSettings(
      {
        params: { id: tenant.id },
        body: { smtp_url: 'smtp://mailer:s3cret%21@smtp.acme.test:2525', from: 'Acme <hi@acme.test>' },
      },
      ctx,
    );
    expect(put.body).toMatchObject({
      smtp_url: 'smtp://mailer@smtp.acme.test:2525',
      smtp_password_set: true,
      from: 'Acme <hi@acme.test>',
      default_locale: 'en',
    });
    expect(JSON.stringify(put.body)).not.toContain('s3cret');
    const stored = (await db.read((r) => r.messaging.settings(tenant.id)))!;
    expect(stored.smtpPasswordSealed).not.toContain('s3cret');
    expect(await sealer.open(stored.smtpPasswordSealed!, smtpPasswordAad(tenant.id))).toBe('s3cret!');
    // Absent keeps it; null clears it.
    await handlers.putSettings({ params: { id: tenant.id }, body: { default_locale: 'de' } }, ctx);
    expect(settingsOf(await handlers.getSettings({ params: { id: tenant.id } }, ctx))).toMatchObject({
      smtp_password_set: true,
      default_locale: 'de',
    });
    await handlers.putSettings({ params: { id: tenant.id }, body: { smtp_password: null } }, ctx);
    expect(settingsOf(await handlers.getSettings({ params: { id: tenant.id } }, ctx)).smtp_password_set).toBe(
      false,
    );
    // The SMS gateway token is sealed the same way, under its own associated data.
    await handlers.putSettings(
      {
        params: { id: tenant.id },
        body: {
          sms_gateway_url: 'https://sms.acme.test/send',
          sms_gateway_token: 'gw-secret',
          sms_from: 'Acme',
        },
      },
      ctx,
    );
    const sms = (await db.read((r) => r.messaging.settings(tenant.id)))!;
    expect(sms.smsGatewayTokenSealed).not.toContain('gw-secret');
    expect(await sealer.open(sms.smsGatewayTokenSealed!, smsGatewayTokenAad(tenant.id))).toBe('gw-secret');
    await expect(sealer.open(sms.smsGatewayTokenSealed!, smtpPasswordAad(tenant.id))).rejects.toThrow();
    expect(settingsOf(await handlers.getSettings({ params: { id: tenant.id } }, ctx))).toMatchObject({
      sms_gateway_url: 'https://sms.acme.test/send',
      sms_gateway_token_set: true,
      sms_from: 'Acme',
    });
    const withCredentials = await refusal(
      handlers.putSettings(
        { params: { id: tenant.id }, body: { sms_gateway_url: 'https://u:p@sms.acme.test/' } },
        ctx,
      ),
    );
    expect(withCredentials.code).toBe('validation_failed');
    // Another tenant's id is a 404, like an unknown one.
    const error = await refusal(handlers.getSettings({ params: { id: webCryptoRandom.uuid() } }, ctx));
    expect(error.code).toBe('not_found');
  });

  it('saves a tenant template, refuses unknown variables, and falls back to the built-in one once deleted', async () => {
    const { handlers, tenant, ctx } = setup();
    const params = { id: tenant.id, kind: 'otp_code' as const, locale: 'de' };
    const builtIn = await handlers.getTemplate({ params }, ctx);
    expect(builtIn.body).toMatchObject({ source: 'built_in', locale: 'de' });
    const refused = await refusal(
      handlers.putTemplate({ params, body: { subject: 'x', text: '{{link}} {{code}}' } }, ctx),
    );
    expect(refused.code).toBe('template_invalid');
    expect(refused.errors?.[0]?.path).toBe('body.text');
    const saved = await handlers.putTemplate(
      {
        params,
        body: { subject: 'Code für {{tenant_name}}', text: 'Code: {{code}}', html: '<b>{{code}}</b>' },
      },
      ctx,
    );
    expect(saved.body).toMatchObject({ source: 'tenant', text: 'Code: {{code}}' });
    expect(templateOf(await handlers.getTemplate({ params }, ctx)).source).toBe('tenant');
    expect((await handlers.deleteTemplate({ params }, ctx)).status).toBe(204);
    expect((await refusal(handlers.deleteTemplate({ params }, ctx))).code).toBe('not_found');
    expect(templateOf(await handlers.getTemplate({ params }, ctx)).source).toBe('built_in');
  });

  it('previews with sample values, escaped in HTML, sending nothing', async () => {
    const { handlers, tenant, ctx, db } = setup();
    const preview = await previewOf(
      handlers.preview(
        {
          params: { id: tenant.id },
          body: { kind: 'otp_code', locale: 'de', variables: { code: '<123456>' } },
        },
        ctx,
      ),
    );
    expect(preview.locale).toBe('de');
    expect(preview.subject).toBe('Ihr Anmeldecode für Acme <Pay>');
    expect(preview.text).toContain('<123456>');
    expect(preview.html).toContain('&lt;123456&gt;');
    expect(preview.html).toContain('Acme &lt;Pay&gt;');
    expect(preview.html).toContain('#ff0000');
    expect(preview.html).not.toContain('<123456>');
    expect(db.tables.outboundMessages.size).toBe(0);
    // An unknown locale falls back to the tenant's default, then en.
    const fallback = await previewOf(
      handlers.preview({ params: { id: tenant.id }, body: { kind: 'invite', locale: 'fr' } }, ctx),
    );
    expect(fallback.locale).toBe('en');
    const unknown = await refusal(
      handlers.preview(
        { params: { id: tenant.id }, body: { kind: 'otp_code', variables: { link: 'x' } } },
        ctx,
      ),
    );
    expect(unknown.code).toBe('template_invalid');
  });
});

describe('the outbox', () => {
  it('stores a queued message sealed, delivers it through the tenant sender, retries failures with backoff, deletes it once sent', async () => {
    const { db, tenant, sealer, clock, advance, handlers, ctx } = setup();
    await handlers.putSettings(
      {
        params: { id: tenant.id },
        body: { smtp_url: 'smtp://u:pw@smtp.acme.test', from: 'Acme <a@acme.test>' },
      },
      ctx,
    );
    const random = webCryptoRandom;
    const tenantRow = (await db.read((r) => r.tenants.find(tenant.id)))!;
    const { id, locale } = await db.transaction((repos) =>
      queueMail(
        repos,
        { sealer, clock, random },
        {
          tenant: tenantRow,
          kind: 'otp_code',
          locale: 'de-AT',
          to: 'p@example.com',
          variables: { code: '424242', expires_minutes: '10' },
        },
      ),
    );
    expect(locale).toBe('de');
    const queued = (await db.read((r) => r.messaging.findQueued(id)))!;
    expect(queued.payloadSealed).not.toContain('424242');
    expect(queued.payloadSealed).not.toContain('p@example.com');

    const sent: { to: string; text: string; sender: MailSender }[] = [];
    let failures = 1;
    const deps = {
      uow: db,
      clock,
      random,
      sealer,
      retryBaseMs: 1000,
      maxAttempts: 3,
      leaseMs: 60_000,
      transport: {
        send: async (mail: { to: string; text: string }, sender: MailSender) => {
          if (failures-- > 0) throw new Error('451 try later');
          sent.push({ to: mail.to, text: mail.text, sender });
        },
      },
    };
    expect(await deliverDueMessages(deps)).toBe(1);
    expect(sent).toEqual([]);
    const waiting = (await db.read((r) => r.messaging.findQueued(id)))!;
    expect(waiting.attempts).toBe(1);
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(await deliverDueMessages(deps)).toBe(0); // not due yet
    advance(2000);
    expect(await deliverDueMessages(deps)).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe('p@example.com');
    expect(sent[0]!.text).toContain('424242');
    expect(sent[0]!.sender).toEqual({
      smtpUrl: 'smtp://u@smtp.acme.test',
      smtpPassword: 'pw',
      from: 'Acme <a@acme.test>',
    });
    expect(await db.read((r) => r.messaging.findQueued(id))).toBeNull();
  });

  it('gives a message up (and deletes it) after the last attempt', async () => {
    const { db, tenant, sealer, clock, advance } = setup();
    const tenantRow = (await db.read((r) => r.tenants.find(tenant.id)))!;
    const { id } = await db.transaction((repos) =>
      queueMail(
        repos,
        { sealer, clock, random: webCryptoRandom },
        {
          tenant: tenantRow,
          kind: 'otp_code',
          to: 'p@example.com',
          variables: { code: '1', expires_minutes: '10' },
        },
      ),
    );
    const deps = {
      uow: db,
      clock,
      random: webCryptoRandom,
      sealer,
      retryBaseMs: 10,
      maxAttempts: 2,
      leaseMs: 60_000,
      transport: {
        send: async () => {
          throw new Error('550 refused');
        },
      },
    };
    expect(await deliverDueMessages(deps)).toBe(1);
    advance(1000);
    expect(await deliverDueMessages(deps)).toBe(1);
    expect(await db.read((r) => r.messaging.findQueued(id))).toBeNull();
  });
});
