// Starts Enforcer: config → PostgreSQL (embedded or DATABASE_URL) → migrations → signing keys → HTTP.
//   pnpm --filter @enforcer/server start
import { basePath } from '@enforcer/contract';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp, createLogger } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { type Database, redactUrl, startDatabase } from './db/database.js';
import { PostgresRuntimeError } from './db/postgres-runtime.js';
import type { ITenant } from './entities/tenants.js';
import { ensureSandboxTenant } from './sandbox.js';
import { createServices } from './services.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Enforcer cannot start. ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const log = createLogger(config);
let db: Database | undefined;
let app: FastifyInstance | undefined;
let sandbox: ITenant | undefined;
let shuttingDown = false;

/** Stops accepting requests, lets in-flight ones finish, closes the ORM, stops the embedded PostgreSQL. */
async function shutdown(reason: string, code = 0): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info({ reason }, 'shutting down');
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    void (db?.close() ?? Promise.resolve()).finally(() => process.exit(1));
  }, 15_000);
  force.unref();
  try {
    await app?.close();
  } catch (error) {
    log.error({ err: error }, 'closing the HTTP server failed');
    code = 1;
  }
  try {
    await db?.close();
  } catch (error) {
    log.error({ err: error }, 'closing the database failed');
    code = 1;
  }
  log.info('stopped');
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => void shutdown(signal));
// Process-level failures (docs/server.md, "Unexpected errors"): a rejected promise nobody awaited is
// logged and the server keeps serving (one request's forgotten await must not take everyone's service
// down); an uncaught exception leaves the process in an unknown state, so it shuts down (crash-only: a
// supervisor, or the next `pnpm start`, brings it back cleanly).
process.on('uncaughtException', (error) => {
  log.fatal({ err: error }, 'uncaught exception');
  void shutdown('uncaughtException', 1);
});
process.on('unhandledRejection', (error) => {
  log.error({ err: error }, 'unhandled rejection (the server keeps serving)');
});
// Started through shell wrappers that may die without passing the signal on (see docs/server.md), we
// would be orphaned: then shut down rather than keep running, and PostgreSQL with us, unseen.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown('parent process exited');
}, 1000).unref();

try {
  log.info(
    {
      env: config.env,
      dataDir: config.dataDir,
      masterKey: config.masterKeySource,
      mail: config.mail.smtpUrl ? 'smtp' : 'log',
    },
    'starting Enforcer',
  );
  if (config.env !== 'production' && !config.mail.smtpUrl) {
    log.warn('SMTP_URL is not set: mail goes to the log, and one-time codes are returned in responses');
  }
  const pgLog = log.child({ component: 'postgres' });
  db = await startDatabase(config, {
    log: (message) => pgLog.debug(message),
    notify: (level, message, details) => pgLog[level](details ?? {}, message),
    supervise: true,
  });
  log.info(
    {
      database: db.embedded ? `embedded, 127.0.0.1:${db.embedded.port}` : redactUrl(db.url),
      migrationsApplied: db.applied,
    },
    'database ready',
  );
  const services = createServices(config, db.orm, { logger: log as FastifyBaseLogger });
  const { created } = await services.keys.ensureKeys();
  if (created.length > 0) log.info({ kids: created }, 'signing keys created');
  await services.keys.getSigningKey(); // decrypts now: a wrong master key fails here, not at first login

  if (config.env === 'development') sandbox = await ensureSandboxTenant(db.orm, services.random);
  app = buildApp(config, { orm: db.orm, services, logger: log });
  await app.listen({ port: config.port, host: config.host });
} catch (error) {
  log.fatal({ err: error }, 'start-up failed');
  if (error instanceof PostgresRuntimeError) console.error(`\nEnforcer cannot start. ${error.message}\n`);
  await shutdown('start-up failed', 1);
}

if (config.env === 'development' && app) {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = ['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host;
  const origin = `http://${host}:${port}`;
  console.log(
    `\n  Enforcer is running (development)\n  API      ${origin}${basePath}\n  Swagger  ${origin}/swagger\n  Sandbox  tenant code ${sandbox?.code ?? '(none)'} (sign up with any email; codes come back in the response)\n  Issuer   ${config.issuer}\n  Stop     Ctrl-C\n`,
  );
}
