import { contract } from '@enforcer/contract';
import { magicLinkHandlers, webCryptoHashing } from '@enforcer/core';
import type { DomainRoutes } from '../../../../http/contract-routes.js';
import { registerCoreRoutes } from '../../../../http/core-handlers.js';

/**
 * `contract.magicLink`: requesting a link, and the tenant's allowed redirect URLs: the core's handlers
 * (server/core/src/magic-links/handlers.ts). Login goes through the sign-in method.
 */
export const magicLinkRoutes: DomainRoutes = (app, services) => {
  const handlers = magicLinkHandlers(services.uow, {
    clock: services.clock,
    random: services.random,
    hashing: webCryptoHashing,
    mail: services.mail,
    // Queued in the mail outbox with what issued it, delivered by the worker (docs/messaging.md).
    outbox: services.messaging.outbox,
    exposeTokens: services.exposeOtpCodes,
    sendLimits: services.sendLimits,
    onDeliveryFailure: (error) => app.log.error({ err: error }, 'magic link: mail delivery failed'),
  });
  app.register(async (scope) => registerCoreRoutes(scope, contract.magicLink, handlers));
};
