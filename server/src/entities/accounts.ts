import { randomUUID } from 'node:crypto';
import type { Metadata } from '@enforcer/contract';
import type { StatusActor } from '@enforcer/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Tenant } from './tenants.js';

/**
 * The human, across tenants. The primary email is stored lower-cased and is unique; a person who signed
 * up with a wallet, a phone or Privy may have none (their methods are in `person_identity`).
 */
export const Person = defineEntity({
  name: 'Person',
  tableName: 'person',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    email: p.text().nullable().unique().check('email = lower(email)'),
    emailVerifiedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    // The profile (`PATCH /auth/me`).
    displayName: p.text().nullable(),
    avatarUrl: p.text().nullable(),
    locale: p.text().nullable(),
    timeZone: p.text().nullable(),
  },
});
export type IPerson = InferEntity<typeof Person>;

/**
 * A person's membership in one tenant (the seed's "user"). `grantVersion` increments whenever what the
 * account may do changes (role, groups, active), so tokens minted before the change can be told apart.
 */
export const Account = defineEntity({
  name: 'Account',
  tableName: 'account',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    person: () => p.manyToOne(Person).deleteRule('cascade'),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    /**
     * Every role the account holds, in grant order (the first is the API's primary `role`). A text[] column
     * rather than a join table: roles are names in the tenant's policy document (no rows to refer to), an
     * account holds a few (`max_roles_per_account`), and every token mint and authenticated request reads
     * them with the account row; `roles @> array[..]` answers `GET /accounts?role=` within the tenant's rows.
     */
    roles: p.array().default(['member']),
    /**
     * The primary role, `roles[1]` (the check keeps them equal; the stores write both): the column that
     * answers the `account` resource's `role` attribute in list filters (domains/policy/resources.ts).
     */
    role: p.text().default('member').check('"role" = "roles"[1] and cardinality("roles") > 0'),
    /** `status = 'active'`, written with it (grants, counts and the revocation feed's trigger read it). */
    active: p.boolean().default(true),
    /** `active`, `locked`, `banned`, `deactivated` or `deleted` (server/core/src/accounts/status.ts). */
    status: p.text().default('active'),
    statusReason: p.text().nullable(),
    statusChangedAt: p.datetime().nullable(),
    statusChangedBy: p.json<StatusActor>().nullable(),
    /** With status `locked`: when the lock lapses (null: until lifted). */
    lockedUntil: p.datetime().nullable(),
    grantVersion: p.integer().default(1),
    // Metadata (#14), JSON objects (jsonb): public (a source of subject attributes), private, the user's.
    publicMetadata: p.json<Metadata>().onCreate(() => ({})),
    privateMetadata: p.json<Metadata>().onCreate(() => ({})),
    userMetadata: p.json<Metadata>().onCreate(() => ({})),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['person', 'tenant'] }],
  indexes: [{ properties: ['tenant', 'createdAt'] }],
});
export type IAccount = InferEntity<typeof Account>;
