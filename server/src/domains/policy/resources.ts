import type { MikroOrmFields, Resource } from '@enforcer/contract/policy';
import type { AdminResourceType } from '@enforcer/core';
import type { IApiKey } from '../api-keys/entities.js';
import type { IGroup } from '../groups/entities.js';
import type { IAccount } from '../identity/entities.js';

/**
 * The resource types Enforcer's own endpoints decide on, and how their attributes map to
 * entity properties. List endpoints turn `plan()` into a MikroORM filter with these maps,
 * single-record endpoints build the same attributes for `can()`, so both answers come
 * from one engine. The attributes (and their types) are those of the default policy;
 * `PUT /policy` refuses a document that declares others for these types (see
 * admin-constraints.ts), because no column could answer for them.
 */
export const accountFields = {
  id: { property: 'id', type: 'uuid' },
  tenant_id: { property: 'tenant', type: 'uuid' },
  person_id: { property: 'person', type: 'uuid' },
  role: 'role',
  active: 'active',
  created_at: 'createdAt',
} as const satisfies MikroOrmFields;

export const groupFields = {
  id: { property: 'id', type: 'uuid' },
  tenant_id: { property: 'tenant', type: 'uuid' },
  name: 'name',
  built_in: 'builtIn',
} as const satisfies MikroOrmFields;

export const apiKeyFields = {
  id: { property: 'id', type: 'uuid' },
  tenant_id: { property: 'tenant', type: 'uuid' },
  created_by: { property: 'createdBy', type: 'uuid' },
  created_at: 'createdAt',
} as const satisfies MikroOrmFields;

/**
 * Resource type name → its field map, for every type `PUT /policy` keeps mappable (the core's
 * `adminResourceTypes`): typed by that list, so a type added to the core without a column map here fails
 * to compile.
 */
export const adminResourceFields: Readonly<Record<AdminResourceType, MikroOrmFields>> = {
  account: accountFields,
  group: groupFields,
  api_key: apiKeyFields,
};

export const accountResource = (account: IAccount): Resource => ({
  type: 'account',
  attributes: {
    id: account.id,
    tenant_id: account.tenant.id,
    person_id: account.person.id,
    role: account.role,
    active: account.active,
    created_at: account.createdAt,
  },
});

export const groupResource = (group: IGroup): Resource => ({
  type: 'group',
  attributes: { id: group.id, tenant_id: group.tenant.id, name: group.name, built_in: group.builtIn },
});

export const apiKeyResource = (key: IApiKey): Resource => ({
  type: 'api_key',
  attributes: {
    id: key.id,
    tenant_id: key.tenant.id,
    created_by: key.createdBy ?? null,
    created_at: key.createdAt,
  },
});
