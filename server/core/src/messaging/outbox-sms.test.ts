import type { MessageTemplate } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import { webCryptoRandom } from '../platform.js';
import type { SessionRecord } from '../sessions/ports.js';
import { appErrorOf as refusal } from '../testing/memory-fixture.js';
import { deliverDueMessages } from './deliver.js';
import { messagingFixture } from './handlers-fixture.js';
import { isNewDevice } from './notices.js';
import { queueMessage, type TenantSmsSender } from './outbox.js';

// Texts through the outbox, SMS templates, and the new-device rule, over the memory store (the MSW mock's).

const setup = () => messagingFixture({ name: 'Acme Pay' });

describe('texts through the outbox', () => {
  it("queue the rendered text sealed, then send it through the tenant's gateway, retried after a failure", async () => {
    const { db, tenant, ctx, handlers, sealer, clock, advance } = setup();
    await handlers.putSettings(
      {
        params: { id: tenant.id },
        body: { sms_gateway_url: 'https://sms.acme.test/send', sms_gateway_token: 'tok', sms_from: 'Acme' },
      },
      ctx,
    );
    const tenantRow = (await db.read((r) => r.tenants.find(tenant.id)))!;
    const { id } = await db.transaction((repos) =>
      queueMessage(
        repos,
        { sealer, clock, random: webCryptoRandom },
        {
          tenant: tenantRow,
          kind: 'sms_otp_code',
          locale: 'de',
          to: '+4915112345678',
          variables: { code: '424242', expires_minutes: '10' },
        },
      ),
    );
    const queued = (await db.read((r) => r.messaging.findQueued(id)))!;
    expect(queued.kind).toBe('sms_otp_code');
    expect(queued.payloadSealed).not.toContain('424242');
    expect(queued.payloadSealed).not.toContain('+4915112345678');

    const texts: { to: string; text: string; sender: TenantSmsSender | null }[] = [];
    let failures = 1;
    const deps = {
      uow: db,
      clock,
      random: webCryptoRandom,
      sealer,
      retryBaseMs: 1000,
      maxAttempts: 3,
      leaseMs: 60_000,
      transport: {
        send: async () => {
          throw new Error('a text is not a mail');
        },
      },
      sms: {
        send: async (sms: { to: string; text: string }, sender: TenantSmsSender | null) => {
          if (failures-- > 0) throw new Error('The SMS gateway answered 500');
          texts.push({ ...sms, sender });
        },
      },
    };
    expect(await deliverDueMessages(deps)).toBe(1);
    expect(texts).toEqual([]);
    expect((await db.read((r) => r.messaging.findQueued(id)))!.attempts).toBe(1);
    advance(2000);
    expect(await deliverDueMessages(deps)).toBe(1);
    expect(texts).toEqual([
      {
        to: '+4915112345678',
        text: '424242 ist Ihr Code für Acme Pay. Er läuft in 10 Minuten ab. Geben Sie ihn nie weiter.',
        sender: { url: 'https://sms.acme.test/send', token: 'tok', from: 'Acme' },
      },
    ]);
    expect(await db.read((r) => r.messaging.findQueued(id))).toBeNull();
  });

  it('SMS templates: text only (a subject or HTML is refused), variables checked, channel answered', async () => {
    const { tenant, ctx, handlers } = setup();
    const params = { id: tenant.id, kind: 'sms_otp_code' as const, locale: 'en' };
    const builtIn = (await handlers.getTemplate({ params }, ctx)).body as MessageTemplate;
    expect(builtIn).toMatchObject({ channel: 'sms', subject: '', html: null, source: 'built_in' });
    expect(builtIn.text).toBe(
      '{{code}} is your {{tenant_name}} code. It expires in {{expires_minutes}} minutes. Never share it.',
    );
    const subject = await refusal(
      handlers.putTemplate({ params, body: { subject: 'x', text: '{{code}}' } }, ctx),
    );
    expect(subject.code).toBe('validation_failed');
    expect(subject.errors).toEqual([{ path: 'body.subject', message: expect.any(String) }]);
    const html = await refusal(
      handlers.putTemplate({ params, body: { text: '{{code}}', html: '<b>x</b>' } }, ctx),
    );
    expect(html.code).toBe('validation_failed');
    const unknown = await refusal(handlers.putTemplate({ params, body: { text: '{{link}}' } }, ctx));
    expect(unknown.code).toBe('template_invalid');
    // A mail template still needs its subject.
    const noSubject = await refusal(
      handlers.putTemplate({ params: { ...params, kind: 'otp_code' }, body: { text: '{{code}}' } }, ctx),
    );
    expect(noSubject.errors).toEqual([{ path: 'body.subject', message: expect.any(String) }]);
    const saved = (await handlers.putTemplate({ params, body: { text: '{{tenant_name}} {{code}}' } }, ctx))
      .body as MessageTemplate;
    expect(saved).toMatchObject({ channel: 'sms', subject: '', html: null, source: 'tenant' });
    const preview = await handlers.preview(
      {
        params: { id: tenant.id },
        body: { kind: 'sms_otp_code', locale: 'en', variables: { code: '123456' } },
      },
      ctx,
    );
    expect(preview.body).toEqual({
      kind: 'sms_otp_code',
      channel: 'sms',
      locale: 'en',
      subject: '',
      text: 'Acme Pay 123456',
      html: null,
    });
  });
});

describe('isNewDevice', () => {
  it('is false for the first sign-in and for a device seen before (by its label), true for another', async () => {
    const { db, account, tenant } = setup();
    const mac = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36';
    const check = (userAgent: string | null) => db.read((r) => isNewDevice(r, account.id, userAgent));
    expect(await check(mac)).toBe(false); // no session yet
    const at = new Date('2026-12-06T12:00:00Z');
    const session: SessionRecord = {
      id: webCryptoRandom.uuid(),
      accountId: account.id,
      personId: account.personId,
      tenantId: tenant.id,
      amr: ['otp'],
      mfaAt: null,
      ip: null,
      userAgent: mac,
      createdAt: at,
      lastUsedAt: at,
      absoluteExpiresAt: new Date(at.getTime() + 86_400_000),
      revokedAt: at, // ended sessions count too
      revokeReason: 'logout',
    };
    await db.transaction((r) => r.sessions.insertBearerSession(session));
    expect(await check(mac.replace('Chrome/126.0', 'Chrome/127.0'))).toBe(false);
    expect(
      await check('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'),
    ).toBe(true);
    expect(await check(null)).toBe(true); // "Unknown device" was not seen
  });
});
