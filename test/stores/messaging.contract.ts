// The store contract of the messaging module (#16): every MessagingStore (memory, PostgreSQL) must pass it,
// through its store's unit of work: sender settings and templates kept as given and replaced whole, per
// tenant; the outbox leases a due message to one claimer at a time, counts attempts, delays retries and
// deletes delivered messages; nothing is left behind by a failed unit of work.
import type { MessagingSettingsRecord, OutboundMessageRecord, UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface MessagingStoreHarness {
  uow: UnitOfWork;
  seedTenant(): Promise<string>;
}

const second = (offset = 0) => new Date(Math.floor(Date.now() / 1000) * 1000 + offset * 1000);

const message = (
  tenantId: string | null,
  fields: Partial<OutboundMessageRecord> = {},
): OutboundMessageRecord => ({
  id: crypto.randomUUID(),
  tenantId,
  kind: 'otp_code',
  payloadSealed: `sealed-${crypto.randomUUID()}`,
  attempts: 0,
  nextAttemptAt: second(-10),
  lockedUntil: null,
  createdAt: second(-10),
  ...fields,
});

export function messagingStoreContract(name: string, harness: () => MessagingStoreHarness): void {
  describe(`MessagingStore contract: ${name}`, () => {
    it('keeps sender settings as given and replaces them whole', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const settings: MessagingSettingsRecord = {
        tenantId,
        smtpUrl: 'smtp://mailer@smtp.acme.test:587',
        smtpPasswordSealed: 'sealed-password',
        from: 'Acme <no-reply@acme.test>',
        defaultLocale: 'de',
        smsGatewayUrl: 'https://sms.acme.test/send',
        smsGatewayTokenSealed: 'sealed-token',
        smsFrom: 'Acme',
        updatedAt: second(),
      };
      expect(await uow.read((r) => r.messaging.settings(tenantId))).toBeNull();
      await uow.transaction((r) => r.messaging.saveSettings(settings));
      expect(await uow.read((r) => r.messaging.settings(tenantId))).toEqual(settings);
      const next = {
        ...settings,
        smtpUrl: null,
        smtpPasswordSealed: null,
        smsGatewayTokenSealed: null,
        updatedAt: second(1),
      };
      await uow.transaction((r) => r.messaging.saveSettings(next));
      expect(await uow.read((r) => r.messaging.settings(tenantId))).toEqual(next);
    });

    it('keeps templates per tenant, kind and locale; delete says whether there was one', async () => {
      const { uow, seedTenant } = harness();
      const [a, b] = [await seedTenant(), await seedTenant()];
      const template = {
        tenantId: a,
        kind: 'otp_code' as const,
        locale: 'de',
        subject: 'Code für {{tenant_name}}',
        text: '{{code}}',
        html: null,
        updatedAt: second(),
      };
      await uow.transaction((r) => r.messaging.saveTemplate(template));
      expect(await uow.read((r) => r.messaging.template(a, 'otp_code', 'de'))).toEqual(template);
      expect(await uow.read((r) => r.messaging.template(a, 'otp_code', 'en'))).toBeNull();
      expect(await uow.read((r) => r.messaging.template(a, 'magic_link', 'de'))).toBeNull();
      expect(await uow.read((r) => r.messaging.template(b, 'otp_code', 'de'))).toBeNull();
      const replaced = { ...template, text: 'Code: {{code}}', html: '<b>{{code}}</b>', updatedAt: second(1) };
      await uow.transaction((r) => r.messaging.saveTemplate(replaced));
      expect(await uow.read((r) => r.messaging.template(a, 'otp_code', 'de'))).toEqual(replaced);
      expect(await uow.transaction((r) => r.messaging.deleteTemplate(b, 'otp_code', 'de'))).toBe(false);
      expect(await uow.transaction((r) => r.messaging.deleteTemplate(a, 'otp_code', 'de'))).toBe(true);
      expect(await uow.transaction((r) => r.messaging.deleteTemplate(a, 'otp_code', 'de'))).toBe(false);
      expect(await uow.read((r) => r.messaging.template(a, 'otp_code', 'de'))).toBeNull();
    });

    it('leases a due message once, counts the attempt, and leases it again only when retried or the lease ran out', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const due = message(tenantId);
      const later = message(null, { nextAttemptAt: second(3600) });
      await uow.transaction(async (r) => {
        await r.messaging.enqueue(due);
        await r.messaging.enqueue(later);
      });
      const now = second();
      const lease = second(60);
      const first = await uow.transaction((r) => r.messaging.claimDue(now, lease, 100));
      const mine = first.filter((m) => m.id === due.id || m.id === later.id);
      expect(mine).toEqual([{ ...due, attempts: 1, lockedUntil: lease }]);
      // Leased: nobody else takes it, even at once.
      const again = await uow.transaction((r) => r.messaging.claimDue(now, lease, 100));
      expect(again.map((m) => m.id)).not.toContain(due.id);
      // A retry releases it for its next attempt time.
      await uow.transaction((r) => r.messaging.retryAt(due.id, second(30)));
      expect(await uow.read((r) => r.messaging.findQueued(due.id))).toEqual({
        ...due,
        attempts: 1,
        lockedUntil: null,
        nextAttemptAt: second(30),
      });
      expect(
        (await uow.transaction((r) => r.messaging.claimDue(second(29), second(90), 100))).map((m) => m.id),
      ).not.toContain(due.id);
      const retried = await uow.transaction((r) => r.messaging.claimDue(second(30), second(90), 100));
      expect(retried.find((m) => m.id === due.id)?.attempts).toBe(2);
      // A lease that ran out (a worker died mid-attempt): due again.
      const expired = await uow.transaction((r) => r.messaging.claimDue(second(91), second(200), 100));
      expect(expired.find((m) => m.id === due.id)?.attempts).toBe(3);
      await uow.transaction((r) => r.messaging.remove(due.id));
      expect(await uow.read((r) => r.messaging.findQueued(due.id))).toBeNull();
      expect(await uow.read((r) => r.messaging.findQueued(later.id))).toEqual(later);
      await uow.transaction((r) => r.messaging.remove(later.id));
    });

    it('claims at most the limit, oldest due first', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const messages = [3, 1, 2].map((n) => message(tenantId, { nextAttemptAt: second(-1000 - n) }));
      await uow.transaction(async (r) => {
        for (const m of messages) await r.messaging.enqueue(m);
      });
      const ids = new Set(messages.map((m) => m.id));
      const claimed: string[] = [];
      for (let i = 0; i < 10 && claimed.length < 3; i++) {
        const got = await uow.transaction((r) => r.messaging.claimDue(second(), second(60), 1));
        expect(got.length).toBeLessThanOrEqual(1);
        for (const m of got) if (ids.has(m.id)) claimed.push(m.id);
        if (got.length === 0) break;
      }
      expect(claimed).toEqual([messages[0]!.id, messages[2]!.id, messages[1]!.id]);
      await uow.transaction(async (r) => {
        for (const m of messages) await r.messaging.remove(m.id);
      });
    });

    it('leaves nothing behind when the unit of work fails', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const lost = message(tenantId);
      await expect(
        uow.transaction(async (r) => {
          await r.messaging.enqueue(lost);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await uow.read((r) => r.messaging.findQueued(lost.id))).toBeNull();
    });
  });
}
