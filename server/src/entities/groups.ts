import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Account } from './accounts.js';
import { Tenant } from './tenants.js';

/** A capability gate: membership is what opens an action. Names are unique per tenant. */
export const Group = defineEntity({
  name: 'Group',
  tableName: 'tenant_group',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    name: p.text(),
    description: p.text().nullable(),
    permissions: p.array().default([]),
    /** Provisioned with the tenant (e.g. `verified`); cannot be deleted. */
    builtIn: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['tenant', 'name'] }],
});
export type IGroup = InferEntity<typeof Group>;

export const GroupMembership = defineEntity({
  name: 'GroupMembership',
  tableName: 'group_membership',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    group: () => p.manyToOne(Group).deleteRule('cascade'),
    account: () => p.manyToOne(Account).deleteRule('cascade'),
    /** Denormalised from the group, so per-tenant listings need no join. */
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['group', 'account'] }],
  indexes: [{ properties: ['account'] }, { properties: ['tenant'] }],
});
export type IGroupMembership = InferEntity<typeof GroupMembership>;
