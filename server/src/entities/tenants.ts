import { randomUUID } from 'node:crypto';
import { tenantStatuses } from '@enforcer/contract';
import type { TenantRecord } from '@enforcer/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/** An app inside Enforcer: owns its accounts, groups, roles, policy, theme and keys. */
export const Tenant = defineEntity({
  name: 'Tenant',
  tableName: 'tenant',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    /** Public, shareable code like `2OPX-BYIE-GDUH` (see `generateTenantCode`). */
    code: p.text().unique(),
    name: p.text(),
    logoUrl: p.text().nullable(),
    theme: p
      .json<Record<string, unknown>>()
      .defaultRaw("'{}'")
      .onCreate(() => ({})),
    /** Auth provider ids this tenant accepts (`email_otp`, `passkey`, ...). */
    authProviders: p.array().default(['email_otp']),
    allowSignup: p.boolean().default(true),
    /** Settings of the sign-in methods that need them (`AuthSettings` of the contract: passkey, google, siwe, privy). */
    authSettings: p
      .json<Record<string, unknown>>()
      .defaultRaw("'{}'")
      .onCreate(() => ({})),
    /** Limits on roles and groups (`TenantLimits` of the contract; a key left out is its default). */
    limits: p
      .json<Record<string, unknown>>()
      .defaultRaw("'{}'")
      .onCreate(() => ({})),
    /** Web origins allowed to call Enforcer from a browser (CORS); exact, normalised by the contract. */
    allowedOrigins: p.array().default([]),
    /** The tenant's policy document (validated by `@enforcer/contract/policy`); null = the built-in default. */
    policy: p.json<Record<string, unknown>>().nullable(),
    /** Incremented on every policy change; the ETag is derived from the document's hash. */
    policyVersion: p.integer().default(1),
    policyEtag: p.text().nullable(),
    /** How long audit events are kept (`PATCH /audit-settings`); null: the default, 365 days. */
    auditRetentionDays: p.integer().nullable(),
    /** How long a deletion request waits before the person is erased (#15); null: the default, 30 days. */
    deletionGraceDays: p.integer().nullable(),
    /** `active`, or `suspended` by the deployment's operator (`PATCH /platform/tenants/{id}`). */
    status: p.enum(tenantStatuses).default('active'),
    statusReason: p.text().nullable(),
    statusChangedAt: p.datetime().nullable(),
    /** With `pending_deletion`: when the deletion job may delete the tenant and its data. */
    deletionDueAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  // CORS asks "does any tenant allow this origin?" (array containment, which a GIN index answers).
  indexes: [
    // The operator's list pages in (created_at, id) order.
    { name: 'tenant_created_at_id_index', properties: ['createdAt', 'id'] },
    { name: 'tenant_deletion_due_at_index', properties: ['deletionDueAt'] },
    {
      name: 'tenant_allowed_origins_index',
      expression: 'create index "tenant_allowed_origins_index" on "tenant" using gin ("allowed_origins")',
    },
  ],
});
export type ITenant = InferEntity<typeof Tenant>;

/** An invitation into a tenant. The code is shown once; only its SHA-256 is stored. */
export const Invite = defineEntity({
  name: 'Invite',
  tableName: 'invite',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    /** Lower-cased. Null only for a provisioning addressed to a phone alone. */
    email: p.text().nullable(),
    /** A provisioning's phone (E.164). */
    phone: p.text().nullable(),
    /** The primary role, `roles[1]`. */
    role: p.text(),
    /** Every role the account will hold, grant order (text[], as `account.roles`). */
    roles: p.array().default([]),
    /** Names of the groups a provisioning's account joins. */
    groups: p.array().default([]),
    /** Made by `POST /accounts` (a sign-in with a proven email or phone it names takes it). */
    provisioned: p.boolean().default(false),
    codeHash: p.text().unique(),
    /** Account id of the inviter (no foreign key: the invite outlives a deleted inviter). */
    createdBy: p.uuid().nullable(),
    acceptedBy: p.uuid().nullable(),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
    /** When an admin revoked it (its code hash was replaced then). */
    revokedAt: p.datetime().nullable(),
    /** When it was last mailed. */
    sentAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['tenant', 'email'] }, { properties: ['tenant', 'createdAt', 'id'] }],
});
export type IInvite = InferEntity<typeof Invite>;

/** A tenant row as the core's rules read it (theme values that are not strings left out). */
export const tenantRecordOf = (tenant: ITenant): TenantRecord => ({
  id: tenant.id,
  code: tenant.code,
  name: tenant.name,
  logoUrl: tenant.logoUrl ?? null,
  theme: Object.fromEntries(
    Object.entries(tenant.theme ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  ),
  authProviders: [...tenant.authProviders],
  allowSignup: tenant.allowSignup,
  authSettings: { ...(tenant.authSettings ?? {}) },
  limits: { ...(tenant.limits ?? {}) },
  allowedOrigins: [...(tenant.allowedOrigins ?? [])],
  status: tenant.status ?? 'active',
  statusReason: tenant.statusReason ?? null,
  statusChangedAt: tenant.statusChangedAt ?? null,
  deletionDueAt: tenant.deletionDueAt ?? null,
  createdAt: tenant.createdAt,
});
