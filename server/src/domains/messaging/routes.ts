import { contract } from '@enforcer/contract';
import { messagingHandlers } from '@enforcer/core';
import type { FastifyInstance } from 'fastify';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';
import { resolvePublicTarget, systemResolver } from '../webhooks/ssrf.js';
import { ServerSmsTransport } from './sms-transport.js';
import { ServerMailTransport } from './transport.js';
import { MessageWorker } from './worker.js';

/**
 * The messaging module (`/tenants/:id/messaging...`): the core's handlers (server/core/src/messaging). The
 * SMTP password is sealed with AES-256-GCM under the master key's `messaging-secret` sub-key, as signing
 * keys and KYC provider secrets are under theirs.
 */
export const messagingRoutes: DomainRoutes = (app, services) => {
  const handlers = messagingHandlers(services.uow, {
    sealer: services.messaging.sealer,
    clock: services.clock,
    ...(services.config.env === 'production'
      ? {
          checkSmtpHost: async (url: URL) => void (await resolvePublicTarget(url, systemResolver)),
          checkSmsGateway: async (url: URL) => {
            if (url.protocol !== 'https:') throw new Error('the gateway must be https');
            await resolvePublicTarget(url, systemResolver);
          },
        }
      : {}),
  });
  app.register(async (scope) => registerCoreRoutes(scope, contract.messaging, handlers));
};

/**
 * This process's mail and SMS delivery worker, when the configuration runs one (`MESSAGE_WORKER`): started when the
 * app is ready, woken by every message a request of this process queues, stopped when the app closes.
 */
export function scheduleMessageWorker(app: FastifyInstance): MessageWorker | undefined {
  const { uow, clock, random, config, messaging, mail, sms } = app.services;
  if (!config.messaging.worker) return undefined;
  const worker = new MessageWorker(
    {
      uow,
      clock,
      random,
      sealer: messaging.sealer,
      transport: new ServerMailTransport({
        deployment: mail,
        defaultFrom: config.mail.from,
        production: config.env === 'production',
      }),
      sms: new ServerSmsTransport({ deployment: sms, production: config.env === 'production' }),
      retryBaseMs: config.messaging.retryBaseMs,
      maxAttempts: config.messaging.maxAttempts,
      leaseMs: 5 * 60 * 1000,
      log: (message, error) => app.log.warn({ err: error }, message),
    },
    { pollIntervalMs: config.messaging.pollIntervalMs },
  );
  const unsubscribe = messaging.onQueued(() => worker.nudge());
  app.addHook('onReady', async () => worker.start());
  app.addHook('onClose', async () => {
    unsubscribe();
    await worker.stop();
  });
  return worker;
}
