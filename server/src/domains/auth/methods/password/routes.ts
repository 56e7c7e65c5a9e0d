import { contract } from '@enforcer/contract';
import { changePasswordHandler } from '@enforcer/core';
import { type DomainRoutes, registerContractRoutes } from '../../../../http/contract-routes.js';
import { coreRoute } from '../../../../http/core-handlers.js';
import { argon2Hasher } from './hashing.js';
import { confirmReset } from './routes/confirm-reset.js';
import { requestReset } from './routes/request-reset.js';

/**
 * `contract.password`: change (signed in: the core's handler, server/core/src/passwords/handlers.ts) and
 * reset by mailed code. Login and register go through the sign-in method.
 */
export const passwordRoutes: DomainRoutes = (app, services) => {
  const change = changePasswordHandler(services.uow, {
    clock: services.clock,
    hasher: argon2Hasher,
    throttle: services.throttle,
  });
  registerContractRoutes(app, contract.password, { change: coreRoute(change), requestReset, confirmReset });
};
