import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Tenant } from './tenants.js';

/**
 * Usage counters per tenant, metric and UTC day (#15): what no other table records, for billing. Today
 * one metric, `authorize` (authorize calls), added to by each process's buffered counter.
 */
export const UsageCounter = defineEntity({
  name: 'UsageCounter',
  tableName: 'usage_counter',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    metric: p.text(),
    day: p.date(),
    count: p.bigint().defaultRaw('0'),
  },
  uniques: [{ properties: ['tenant', 'metric', 'day'] }],
});
export type IUsageCounter = InferEntity<typeof UsageCounter>;
