import { assertRoleWithinReach as assertCallerRoleWithinReach } from '@enforcer/core';
import { callerOfPrincipal } from '../../http/core-handlers.js';
import type { Principal } from '../../http/principal.js';
import type { TenantPolicy } from './tenant-policy.js';

// The rank rules are the core's (server/core/src/policy/grants.ts); this adapts the server's principal
// for the routes not yet moved to core handlers (API keys, invites).
export const assertRoleWithinReach = (
  policy: TenantPolicy,
  principal: Principal,
  role: string,
  what: string,
) => assertCallerRoleWithinReach(policy, callerOfPrincipal(principal), role, what);
