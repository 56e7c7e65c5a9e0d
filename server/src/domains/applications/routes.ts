import { contract } from '@enforcer/contract';
import { applicationsHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';
import { jwksUriRules } from '../oauth/jwks-fetch.js';

/** Applications (machine clients, #18): the core's handlers (server/core/src/applications/handlers.ts). */
export const applicationsRoutes: DomainRoutes = (app, services) => {
  const { uow, clock, random, config } = services;
  app.register(async (scope) =>
    registerCoreRoutes(
      scope,
      contract.applications,
      applicationsHandlers({
        uow,
        clock,
        random,
        jwksUriRules: jwksUriRules(config.env === 'production'),
      }),
    ),
  );
};
