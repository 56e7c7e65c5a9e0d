import type { MikroOrmFields } from '@enforcer/contract/policy';
import type { AdminResourceType } from '@enforcer/core';

/**
 * The resource types Enforcer's own endpoints decide on, and how their attributes map to
 * entity properties. List endpoints turn `plan()` into a MikroORM filter with these maps,
 * single-record checks build the same attributes for `can()` (the core's policy/resources.ts), so both answers come
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
