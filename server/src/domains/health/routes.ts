import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../../db/orm.js';
import { DATABASE_RETRY_AFTER_SECONDS } from '../../lib/database-unavailable.js';
import { problem, sendProblem } from '../../lib/problem.js';
import type { SigningKeyStore } from '../keys/signing-key-store.js';

/**
 * `GET /healthz`: the process is alive (no I/O). `GET /readyz`: it can serve: PostgreSQL answers and a
 * signing key is loaded (503 problem otherwise). Registered at the root (for orchestrators) and under
 * the API base path.
 */
export function healthRoutes(deps: { orm: MikroORM; keys: SigningKeyStore }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', async () => ({ status: 'ok' as const }));
    app.get('/readyz', async (request, reply) => {
      try {
        await pingDatabase(deps.orm);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: database not reachable');
        return sendProblem(
          reply,
          problem('unavailable', 'The database is not reachable', { instance: request.url }),
          { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
        );
      }
      try {
        await deps.keys.getSigningKey();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: no usable signing key');
        return sendProblem(
          reply,
          problem('unavailable', 'No signing key is usable', { instance: request.url }),
        );
      }
      return { status: 'ready' as const, checks: { database: 'ok' as const, signing_keys: 'ok' as const } };
    });
  };
}
