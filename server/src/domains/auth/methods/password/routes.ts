import { contract } from '@enforcer/contract';
import { passwordHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../../../http/contract-routes.js';
import { registerCoreRoutes } from '../../../../http/core-handlers.js';

/**
 * `contract.password`: change (signed in) and reset by mailed code, the core's handlers
 * (server/core/src/passwords/). Login and register go through the sign-in method.
 */
export const passwordRoutes: DomainRoutes = (app, services) => {
  const handlers = passwordHandlers(services.uow, {
    clock: services.clock,
    hasher: services.passwordHasher,
    throttle: services.throttle,
    otp: services.otpService,
    mail: services.mail,
    // Queued in the mail outbox with what issued it, delivered by the worker (docs/messaging.md).
    outbox: services.messaging.outbox,
    exposeCodes: services.exposeOtpCodes,
    sendLimits: services.sendLimits,
    onDeliveryFailure: (error) => app.log.error({ err: error }, 'password reset: mail delivery failed'),
  });
  app.register(async (scope) => registerCoreRoutes(scope, contract.password, handlers));
};
