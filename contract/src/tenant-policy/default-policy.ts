import type { PolicyDocument } from '../policy/schema';

/**
 * The policy every new tenant starts with. Enforcer's own admin endpoints are decided by
 * it, through the same engine as everything else: the built-in roles are policy, not `if`
 * statements, and a tenant may change them with `PUT /policy` (within the checks of the
 * policy service, which keeps an owner able to manage the tenant).
 *
 * Actions of Enforcer's own API (named in each route's `metadata.permission`):
 * tenants.read/update, accounts.read, accounts.role.update, accounts.active.update,
 * groups.read/create, groups.members.write, invites.create, roles.read,
 * api_keys.read/create/delete, policy.read/update, authorize.any, revocations.read,
 * sessions.read/revoke (an account's sessions), roles.write (custom roles), groups.update/delete,
 * invites.read/revoke, audit.read (the audit log, #15), applications.read/manage (machine clients, #18).
 * Account lifecycle (#14): accounts.lock, accounts.ban, accounts.delete, accounts.mfa.reset (admins hold
 * them, listed one by one; owners through `*`). accounts.impersonate (#14) is the owner's alone: admins
 * hold every account action but it (accounts.create for POST /accounts and accounts.update for account metadata among them; a role
 * granting `accounts.*` would hold it too).
 */
export const builtInRoles = ['owner', 'admin', 'member'] as const;
export type BuiltInRole = (typeof builtInRoles)[number];

/** The role of a self-serve tenant's creator. */
export const ownerRole: BuiltInRole = 'owner';
/** The role of anyone who joins by code or invite without a role. */
export const defaultMemberRole: BuiltInRole = 'member';
/** The gating group every tenant is provisioned with (the seed's KYC flow adds accounts to it). */
export const verifiedGroup = 'verified';

export function defaultPolicy(): PolicyDocument {
  return {
    version: 1,
    resources: {
      account: {
        tenant_attribute: 'tenant_id',
        description: "An account: a person's membership in this tenant",
        attributes: {
          id: 'string',
          tenant_id: 'string',
          person_id: 'string',
          role: 'string',
          active: 'boolean',
          created_at: 'timestamp',
        },
      },
      group: {
        tenant_attribute: 'tenant_id',
        attributes: { id: 'string', tenant_id: 'string', name: 'string', built_in: 'boolean' },
      },
      api_key: {
        tenant_attribute: 'tenant_id',
        attributes: { id: 'string', tenant_id: 'string', created_by: 'string', created_at: 'timestamp' },
      },
    },
    roles: {
      owner: { description: 'Everything, including the policy itself', permissions: ['*'] },
      admin: {
        description: 'Manages accounts and their sessions, groups, invites, API keys and applications',
        permissions: [
          'tenants.read',
          'tenants.update',
          // Every account action but `accounts.impersonate` (owners only, through `*`).
          'accounts.read',
          'accounts.create',
          'accounts.update',
          'accounts.role.update',
          'accounts.active.update',
          'accounts.unlock',
          'accounts.lock',
          'accounts.ban',
          'accounts.delete',
          'accounts.mfa.reset',
          'groups.*',
          'invites.*',
          'roles.read',
          'roles.write',
          'api_keys.*',
          'applications.*',
          'policy.read',
          'authorize.any',
          'revocations.read',
          'sessions.*',
          'audit.read',
          'privacy.read',
          'privacy.process',
          'webhooks.manage',
        ],
      },
      member: { description: 'A signed-in user of the app', permissions: ['tenants.read', 'roles.read'] },
    },
    groups: {
      [verifiedGroup]: {
        description: 'Passed identity verification (KYC): unlocks money movement',
        permissions: ['transfers.*'],
      },
    },
    rules: [
      {
        id: 'members-read-their-own-account',
        effect: 'allow',
        actions: ['accounts.read'],
        resource: 'account',
        condition: { eq: ['resource.id', { ref: 'subject.id' }] },
      },
      {
        id: 'inactive-accounts-cannot-be-promoted',
        effect: 'deny',
        actions: ['accounts.role.update'],
        resource: 'account',
        condition: { eq: ['resource.active', false] },
      },
    ],
  };
}
