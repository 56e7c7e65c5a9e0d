// The store contract of webhooks (#16): every WebhookStore (memory, PostgreSQL) must pass it, and every
// audit log must write a catalogue event's outbox row in the unit of work of the change (and nothing when
// that unit of work fails).
import { webhookEventSchema } from '@enforcer/contract';
import {
  type UnitOfWork,
  type WebhookDeliveryRecord,
  type WebhookEndpointRecord,
  webCryptoRandom,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface WebhookStoreHarness {
  uow: UnitOfWork;
  seedTenant(): Promise<string>;
  /** The tenant's outbox rows, oldest first. */
  outbox(tenantId: string): Promise<{ id: string; type: string; payload: string }[]>;
}

/** Whole seconds: what every store gives back unchanged. */
const at = (offsetSeconds = 0) => new Date((Math.floor(Date.now() / 1000) + offsetSeconds) * 1000);

const endpointRecord = (
  tenantId: string,
  fields: Partial<WebhookEndpointRecord> = {},
): WebhookEndpointRecord => ({
  id: webCryptoRandom.uuid(),
  tenantId,
  url: 'https://hooks.example/enforcer',
  eventTypes: ['account.*'],
  description: null,
  secretSealed: 'sealed',
  previousSecretSealed: null,
  previousSecretExpiresAt: null,
  enabled: true,
  disabledReason: null,
  failingSince: null,
  createdAt: at(),
  updatedAt: at(),
  ...fields,
});

const deliveryRecord = (
  endpoint: WebhookEndpointRecord,
  eventId: string,
  createdAt: Date,
): WebhookDeliveryRecord => ({
  id: webCryptoRandom.uuid(),
  tenantId: endpoint.tenantId,
  endpointId: endpoint.id,
  eventId,
  eventType: 'webhook.test',
  status: 'pending',
  attempts: 0,
  nextAttemptAt: createdAt,
  lastAttemptAt: null,
  responseStatus: null,
  responseBody: null,
  createdAt,
});

export function webhookStoreContract(name: string, harness: () => WebhookStoreHarness): void {
  describe(`WebhookStore contract: ${name}`, () => {
    it("keeps a tenant's endpoints: find, list in order, update, delete; another tenant's are not found", async () => {
      const { uow, seedTenant } = harness();
      const [tenant, other] = [await seedTenant(), await seedTenant()];
      const first = endpointRecord(tenant, { createdAt: at(-10), updatedAt: at(-10) });
      const second = endpointRecord(tenant, { eventTypes: ['*'], description: 'all' });
      const theirs = endpointRecord(other);
      await uow.transaction(async (repos) => {
        for (const e of [second, first, theirs]) await repos.webhooks.insertEndpoint(e);
      });
      await uow.read(async (repos) => {
        expect(await repos.webhooks.findEndpoint(tenant, first.id)).toEqual(first);
        expect(await repos.webhooks.findEndpoint(other, first.id)).toBeNull();
        const listed = await repos.webhooks.listEndpoints(tenant, { after: undefined, limit: 10 });
        expect(listed.map((e) => e.id)).toEqual([first.id, second.id]);
        const next = await repos.webhooks.listEndpoints(tenant, { after: first, limit: 10 });
        expect(next.map((e) => e.id)).toEqual([second.id]);
      });
      await uow.transaction(async (repos) => {
        await repos.webhooks.updateEndpoint(first.id, {
          enabled: false,
          disabledReason: 'manual',
          eventTypes: ['group.*'],
          updatedAt: at(5),
        });
        await repos.webhooks.deleteEndpoint(second.id);
      });
      await uow.read(async (repos) => {
        expect(await repos.webhooks.findEndpoint(tenant, first.id)).toEqual({
          ...first,
          enabled: false,
          disabledReason: 'manual',
          eventTypes: ['group.*'],
          updatedAt: at(5),
        });
        expect(await repos.webhooks.findEndpoint(tenant, second.id)).toBeNull();
      });
    });

    it('lists deliveries newest first, page by page; finds one only in its tenant; deleting the endpoint removes them', async () => {
      const { uow, seedTenant } = harness();
      const [tenant, other] = [await seedTenant(), await seedTenant()];
      const endpoint = endpointRecord(tenant);
      const made: WebhookDeliveryRecord[] = [];
      await uow.transaction(async (repos) => {
        await repos.webhooks.insertEndpoint(endpoint);
        for (let i = 0; i < 3; i++) {
          const eventId = webCryptoRandom.uuid();
          await repos.webhooks.insertEvent({
            id: eventId,
            tenantId: tenant,
            type: 'webhook.test',
            payload: '{}',
            createdAt: at(i),
          });
          const delivery = deliveryRecord(endpoint, eventId, at(i));
          await repos.webhooks.insertDelivery(delivery);
          made.push(delivery);
        }
      });
      await uow.read(async (repos) => {
        const page = await repos.webhooks.listDeliveries(endpoint.id, { after: undefined, limit: 2 });
        expect(page.map((d) => d.id)).toEqual([made[2]!.id, made[1]!.id]);
        expect(page[0]).toEqual(made[2]);
        const rest = await repos.webhooks.listDeliveries(endpoint.id, { after: page[1], limit: 2 });
        expect(rest.map((d) => d.id)).toEqual([made[0]!.id]);
        expect(await repos.webhooks.findDelivery(tenant, made[0]!.id)).toEqual(made[0]);
        expect(await repos.webhooks.findDelivery(other, made[0]!.id)).toBeNull();
      });
      await uow.transaction((repos) => repos.webhooks.deleteEndpoint(endpoint.id));
      await uow.read(async (repos) => {
        expect(await repos.webhooks.findDelivery(tenant, made[0]!.id)).toBeNull();
      });
    });

    it("writes a catalogue event's outbox row with its audit event, and none when the unit of work fails", async () => {
      const { uow, seedTenant, outbox } = harness();
      const tenant = await seedTenant();
      const keyId = webCryptoRandom.uuid();
      await uow.transaction(async (repos) => {
        repos.audit.record({
          action: 'api_key.created',
          actor: { type: 'system' },
          tenantId: tenant,
          target: { type: 'api_key', id: keyId },
          details: { name: 'ci', role: 'admin', prefix: 'enf_abc' },
        });
        // Not in the catalogue: no webhook event.
        repos.audit.record({ action: 'accounts.read', actor: { type: 'system' }, tenantId: tenant });
      });
      await expect(
        uow.transaction(async (repos) => {
          repos.audit.record({
            action: 'api_key.revoked',
            actor: { type: 'system' },
            tenantId: tenant,
            target: { type: 'api_key', id: keyId },
            details: { name: 'ci' },
          });
          throw new Error('the change fails');
        }),
      ).rejects.toThrow('the change fails');
      const rows = await outbox(tenant);
      expect(rows.map((r) => r.type)).toEqual(['api_key.created']);
      const body = webhookEventSchema.parse(JSON.parse(rows[0]!.payload));
      expect(body).toMatchObject({
        id: rows[0]!.id,
        type: 'api_key.created',
        tenant_id: tenant,
        data: { api_key_id: keyId, name: 'ci', role: 'admin' },
      });
      // Never what the audit details hold beyond the catalogue's fields.
      expect(rows[0]!.payload).not.toContain('enf_abc');
    });
  });
}
