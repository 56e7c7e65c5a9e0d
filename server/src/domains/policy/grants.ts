import {
  assertRoleWithinReach as assertCallerRoleWithinReach,
  escalations as callerEscalations,
  callerPermissions,
} from '@enforcer/core';
import { callerOfPrincipal } from '../../http/core-handlers.js';
import type { Principal } from '../../http/principal.js';
import type { TenantPolicy } from './tenant-policy.js';

// The rank rules are the core's (server/core/src/policy/grants.ts); these adapt the server's principal
// for routes not yet moved to core handlers.
export { manageAction, managerRoles, requireRole, rolePermissions } from '@enforcer/core';

export const principalPermissions = (policy: TenantPolicy, principal: Principal): string[] =>
  callerPermissions(policy, callerOfPrincipal(principal));

export const assertRoleWithinReach = (
  policy: TenantPolicy,
  principal: Principal,
  role: string,
  what: string,
) => assertCallerRoleWithinReach(policy, callerOfPrincipal(principal), role, what);

export const escalations = (policy: TenantPolicy, principal: Principal, permissions: readonly string[]) =>
  callerEscalations(policy, callerOfPrincipal(principal), permissions);
