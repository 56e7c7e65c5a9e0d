import type { PolicyDocument } from '../policy/schema';

/**
 * Rules about a tenant's policy that Enforcer itself relies on, shared by the server and
 * the MSW mock so the two cannot drift: which actions are Enforcer's own management
 * actions, when one permission pattern covers another, and how a tenant's groups merge
 * into its stored document.
 */

/**
 * Enforcer's own management actions (those named in route metadata). A group that unlocks
 * one of them is as powerful as a role, so only someone who holds it may create such a
 * group or add members to it.
 */
export const managementActions = [
  'tenants.read',
  'tenants.update',
  'accounts.read',
  'accounts.role.update',
  'accounts.active.update',
  'groups.read',
  'groups.create',
  'groups.members.write',
  'invites.create',
  'roles.read',
  'api_keys.read',
  'api_keys.create',
  'api_keys.delete',
  'policy.read',
  'policy.update',
  'authorize.any',
  'revocations.read',
  'sessions.read',
  'sessions.revoke',
  // Account lifecycle (#14).
  'accounts.lock',
  'accounts.ban',
  'accounts.delete',
  'accounts.mfa.reset',
  // Impersonation (#14): owners only by default.
  'accounts.impersonate',
  // Account metadata (#14).
  'accounts.update',
  // Roles, groups and invites as admins expect them (#14).
  'roles.write',
  'groups.update',
  'groups.delete',
  'invites.read',
  'invites.revoke',
  // Audit (#15): reading the tenant's audit log, its export and chain verification.
  'audit.read',
  // Provisioning accounts (#14).
  'accounts.create',
  // Privacy (#15): the tenant's deletion requests, and erasing a person before the grace period ends.
  'privacy.read',
  'privacy.process',
  // Applications (machine clients, #18).
  'applications.read',
  'applications.manage',
  // Outbound webhooks (#16): endpoints, secrets, deliveries (`owner` through `*`, and `admin`).
  'webhooks.manage',
] as const;

/** Does holding pattern `held` grant everything pattern `wanted` grants? (`*` covers all, `a.*` covers `a.b` and `a.*.c`.) */
export function patternCovers(held: string, wanted: string): boolean {
  if (held === '*' || held === wanted) return true;
  if (!held.endsWith('.*')) return false;
  const prefix = held.slice(0, -1);
  return wanted.startsWith(prefix) && wanted.length > prefix.length;
}

/** The wanted patterns no held pattern covers. */
export const uncoveredPatterns = (held: readonly string[], wanted: readonly string[]): string[] =>
  wanted.filter((w) => !held.some((h) => patternCovers(h, w)));

/**
 * A tenant's stored policy with its groups (`POST /groups`) merged in: each group exists in
 * the policy with the union of the permissions the document and the group grant. This
 * merged document is what every decision uses, on the server and in clients.
 */
export function mergeGroups(
  document: PolicyDocument,
  groups: readonly { name: string; permissions: readonly string[]; description?: string | null }[],
): PolicyDocument {
  const merged: NonNullable<PolicyDocument['groups']> = { ...(document.groups ?? {}) };
  for (const g of groups) {
    const existing = merged[g.name];
    const permissions = [...new Set([...(existing?.permissions ?? []), ...g.permissions])];
    merged[g.name] = {
      ...(existing ?? (g.description ? { description: g.description } : {})),
      permissions,
    };
  }
  return { ...document, groups: merged };
}
