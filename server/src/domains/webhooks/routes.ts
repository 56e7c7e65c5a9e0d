import { contract } from '@enforcer/contract';
import { type WebhookTargetRules, webCryptoSealer, webhooksHandlers } from '@enforcer/core';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';
import { deriveKey } from '../../lib/crypto.js';
import type { RandomSource } from '../../lib/random.js';
import { type HostResolver, resolvePublicTarget, systemResolver } from './ssrf.js';
import { WebhookWorker } from './worker.js';

/** The sealer of endpoints' secrets: AES-256-GCM under the master key's `webhook-secret-encryption` sub-key. */
export const webhookSealer = (config: Config, random: RandomSource) =>
  webCryptoSealer(deriveKey(config.masterKey, 'webhook-secret-encryption'), random);

/** Plain http to localhost outside production; in production, public addresses only (resolved). */
export const webhookTargetRules = (
  config: Config,
  resolve: HostResolver = systemResolver,
): WebhookTargetRules =>
  config.env === 'production'
    ? {
        allowLocalHttp: false,
        checkHost: async (url) => void (await resolvePublicTarget(url, resolve)),
      }
    : { allowLocalHttp: true };

/**
 * Outbound webhooks (`/webhooks/...`): the core's handlers (server/core/src/webhooks/handlers.ts) over the
 * PostgreSQL unit of work (the delivery worker: `scheduleWebhookWorker`, from app.ts).
 */
export const webhooksRoutes: DomainRoutes = (app, services) => {
  const { uow, clock, random, config } = services;
  const sealer = webhookSealer(config, random);
  app.register(async (scope) =>
    registerCoreRoutes(
      scope,
      contract.webhooks,
      webhooksHandlers({ uow, clock, random, sealer, targets: webhookTargetRules(config) }),
    ),
  );
};

/**
 * This process's delivery worker, when the configuration runs one (`WEBHOOK_WORKER`): started when the app
 * is ready, stopped (attempts in flight recorded) when it closes.
 */
export function scheduleWebhookWorker(app: FastifyInstance): WebhookWorker | undefined {
  const { orm, clock, random, config } = app.services;
  if (!config.webhooks.worker) return undefined;
  const worker = new WebhookWorker({
    orm,
    clock,
    random,
    sealer: webhookSealer(config, random),
    config: config.webhooks,
    production: config.env === 'production',
    log: (message, error) => app.log.warn({ err: error }, message),
  });
  app.addHook('onReady', async () => worker.start());
  app.addHook('onClose', async () => worker.stop());
  return worker;
}
