import type { Resource } from '@enforcer/contract/policy';

/**
 * The resource types Enforcer's own endpoints decide on, built from the stores' records. Single-record
 * endpoints give these to `can()`; list endpoints hand the engine's `plan()` for the same type to their
 * store, which answers it as SQL (PostgreSQL) or as a predicate (memory), so both answers come from one
 * engine. The attribute names and types are the default policy's; `PUT /policy` refuses a document that
 * declares others for these types, because no column could answer for them.
 */
export const adminResourceTypes = ['account', 'group', 'api_key'] as const;
export type AdminResourceType = (typeof adminResourceTypes)[number];

export const accountResource = (account: {
  id: string;
  tenantId: string;
  personId: string;
  role: string;
  active: boolean;
  createdAt: Date;
}): Resource => ({
  type: 'account',
  attributes: {
    id: account.id,
    tenant_id: account.tenantId,
    person_id: account.personId,
    role: account.role,
    active: account.active,
    created_at: account.createdAt,
  },
});

export const groupResource = (group: {
  id: string;
  tenantId: string;
  name: string;
  builtIn: boolean;
}): Resource => ({
  type: 'group',
  attributes: { id: group.id, tenant_id: group.tenantId, name: group.name, built_in: group.builtIn },
});

export const apiKeyResource = (key: {
  id: string;
  tenantId: string;
  createdBy: string | null;
  createdAt: Date;
}): Resource => ({
  type: 'api_key',
  attributes: { id: key.id, tenant_id: key.tenantId, created_by: key.createdBy, created_at: key.createdAt },
});
