import { contract } from '@enforcer/contract';
import { kycHandlers, webCryptoSealer } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';
import { deriveKey } from '../../lib/crypto.js';

/**
 * The KYC module (`/tenants/:id/modules/kyc`, `/kyc/*`): the core's handlers (server/core/src/kyc). Provider
 * secrets are sealed with AES-256-GCM under the master key's `kyc-provider-secret` sub-key, as signing keys
 * are under theirs; the development provider is refused in production.
 */
export const kycRoutes: DomainRoutes = (app, services) => {
  const { uow, clock, random, config } = services;
  const handlers = kycHandlers(uow, {
    sealer: webCryptoSealer(deriveKey(config.masterKey, 'kyc-provider-secret'), random),
    clock,
    random,
    apiBaseUrl: config.issuer,
    allowDevelopmentProvider: config.env !== 'production',
  });
  app.register(async (scope) => registerCoreRoutes(scope, contract.kyc, handlers));
};
