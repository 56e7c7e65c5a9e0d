// Test fixtures of the delivery worker's tests (webhooks.test.ts, tls-pinning.test.ts): a resolver that
// never touches DNS, and an endpoint with deliveries written through the PostgreSQL store.
import { newWebhookSecret, type SecretSealer, sealWebhookSecret } from '@enforcer/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { HostResolver } from '../domains/webhooks/ssrf.js';
import type { Clock } from '../lib/clock.js';
import { cryptoRandom } from '../lib/random.js';
import { PostgresWebhookStore } from '../stores/postgres/webhooks.js';
import { seedAccount } from './index.js';

/** A resolver that answers from a table and records what it was asked; it never touches DNS. */
export function stubResolver(table: Record<string, string[]>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = (async (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }) as HostResolver & { asked: string[] };
  resolve.asked = asked;
  return resolve;
}

/** An endpoint of a fresh tenant at `url` and `count` `webhook.test` events due for it (now). */
export async function endpointWithDeliveries(
  orm: MikroORM,
  sealer: SecretSealer,
  url: string,
  count: number,
  clock: Clock,
): Promise<{ endpointId: string; tenantId: string; secret: string }> {
  const { tenant } = await seedAccount(orm);
  const store = new PostgresWebhookStore(orm.em.fork());
  const id = cryptoRandom.uuid();
  const now = clock.now();
  const secret = newWebhookSecret(cryptoRandom);
  await store.insertEndpoint({
    id,
    tenantId: tenant.id,
    url,
    eventTypes: ['*'],
    description: null,
    secretSealed: await sealWebhookSecret(sealer, id, secret),
    previousSecretSealed: null,
    previousSecretExpiresAt: null,
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  });
  for (let i = 0; i < count; i++) {
    const eventId = cryptoRandom.uuid();
    await store.insertEvent({
      id: eventId,
      tenantId: tenant.id,
      type: 'webhook.test',
      payload: JSON.stringify({ id: eventId, type: 'webhook.test' }),
      createdAt: now,
    });
    await store.insertDelivery({
      id: cryptoRandom.uuid(),
      tenantId: tenant.id,
      endpointId: id,
      eventId,
      eventType: 'webhook.test',
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastAttemptAt: null,
      responseStatus: null,
      responseBody: null,
      createdAt: now,
    });
  }
  return { endpointId: id, tenantId: tenant.id, secret };
}
