import { contract, rootContract } from '@enforcer/contract';
import { healthHandlers } from '@enforcer/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../../db/orm.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';
import { DATABASE_RETRY_AFTER_SECONDS } from '../../lib/database-unavailable.js';
import type { SigningKeyStore } from '../keys/signing-key-store.js';

/**
 * The probes (the core's `healthHandlers`): readiness pings PostgreSQL and loads the signing key.
 * Registered at the root (for orchestrators) and under the API base path.
 */
export function healthRoutes(deps: { orm: MikroORM; keys: SigningKeyStore }) {
  const handlers = healthHandlers({
    database: () => pingDatabase(deps.orm),
    signingKeys: async () => {
      await deps.keys.getSigningKey();
    },
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  });
  return {
    underBasePath: async (app: FastifyInstance) => registerCoreRoutes(app, contract.health, handlers),
    atRoot: async (app: FastifyInstance) => registerCoreRoutes(app, rootContract.health, handlers),
  };
}
