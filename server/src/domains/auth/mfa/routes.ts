import { contract } from '@enforcer/contract';
import { mfaHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../../http/contract-routes.js';
import { registerCoreRoutes } from '../../../http/core-handlers.js';
import { serverMfaDeps } from './deps.js';

/**
 * `contract.mfa` (TOTP enrollment, recovery codes, finishing an MFA-gated sign-in, step-up): the core's
 * handlers (server/core/src/mfa/handlers.ts) over the PostgreSQL unit of work.
 */
export const mfaRoutes: DomainRoutes = (app, services) => {
  app.register(async (scope) =>
    registerCoreRoutes(scope, contract.mfa, mfaHandlers(serverMfaDeps(services))),
  );
};
