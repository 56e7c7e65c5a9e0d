import type { contract } from '@enforcer/contract';
import { membershipsHandler } from '../accounts/memberships.js';
import type { Handlers } from '../api/handlers.js';
import { type IdentityHandlerDeps, identityHandlers } from '../identities/handlers.js';
import { passkeyHandlers } from '../passkeys/handlers.js';
import type { PasskeyDeps } from '../passkeys/rules.js';
import { permissionsHandler } from '../policy/handlers.js';
import { ownSessionsHandlers } from '../sessions/handlers.js';
import type { UnitOfWork } from '../store.js';
import { type AuthDeps, authHandlers } from './handlers.js';

/**
 * All of `contract.auth`, as the server and the mock both register it: the login flow and session routes
 * (the caller's own sessions included),
 * passkeys, linked identities, and the caller's memberships and permissions. Each side passes its own
 * keys and verifiers in the dependencies; the routes themselves are listed here once.
 */
export function authRouteHandlers(
  uow: UnitOfWork,
  deps: { auth: AuthDeps; passkeys: PasskeyDeps; identities: IdentityHandlerDeps },
): Handlers<typeof contract.auth> {
  return {
    ...authHandlers(deps.auth),
    ...ownSessionsHandlers(deps.auth),
    ...passkeyHandlers(uow, deps.passkeys),
    ...identityHandlers(uow, deps.identities),
    permissions: permissionsHandler(uow),
    tenants: membershipsHandler(uow),
  };
}
