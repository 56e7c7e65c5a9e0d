import type { PolicyDocument } from '@enforcer/contract/policy';

/**
 * The policy every new tenant starts with: a copy of the server's
 * (`server/src/domains/policy/default-policy.ts`); `test/conformance/mock-fidelity.test.ts`
 * fails when they differ.
 */
export const builtInRoles = ['owner', 'admin', 'member'] as const;
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
        description: 'Manages accounts, groups, invites and API keys',
        permissions: [
          'tenants.read',
          'tenants.update',
          'accounts.*',
          'groups.*',
          'invites.*',
          'roles.read',
          'api_keys.*',
          'policy.read',
          'authorize.any',
          'revocations.read',
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
