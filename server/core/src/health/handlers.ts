import type { contract } from '@enforcer/contract';
import type { Handlers } from '../api/handlers.js';
import { AppError } from '../errors.js';

/** What readiness checks: each resolves when its part can serve and rejects when it cannot. */
export interface ReadinessChecks {
  /** The database answers (the mock has none: it always can). */
  database(): Promise<void>;
  /** A signing key is usable. */
  signingKeys(): Promise<void>;
  /** How long a client should wait before asking again when the database does not answer. */
  retryAfterSeconds: number;
}

/**
 * `GET /healthz`: the process is alive (no I/O). `GET /readyz`: it can serve, its database answers and a
 * signing key is usable (`503 unavailable` otherwise, the failure as the error's cause for the log).
 * Served at the root (for orchestrators) and under the API base path (`rootContract.health`).
 */
export function healthHandlers(checks: ReadinessChecks): Handlers<typeof contract.health> {
  return {
    live: async () => ({ status: 200, body: { status: 'ok' } }),
    ready: async () => {
      try {
        await checks.database();
      } catch (cause) {
        throw new AppError('unavailable', 'The database is not reachable', {
          headers: { 'retry-after': String(checks.retryAfterSeconds) },
          cause,
        });
      }
      try {
        await checks.signingKeys();
      } catch (cause) {
        throw new AppError('unavailable', 'No signing key is usable', { cause });
      }
      return { status: 200, body: { status: 'ready', checks: { database: 'ok', signing_keys: 'ok' } } };
    },
  };
}
