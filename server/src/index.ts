// The public surface of @enforcer/server, for route handlers, the CLIs and cross-package tests.

export { generateTenantCode, normaliseTenantCode } from '@enforcer/core';
export { type AppDeps, buildApp, createLogger, loggerOptions, redactQuery } from './app.js';
export {
  type Config,
  ConfigError,
  loadConfig,
  type ParsedConfig,
  parseConfig,
  parseDuration,
  resolveMasterKey,
} from './config.js';
export { type Database, redactUrl, type StartDatabaseOptions, startDatabase } from './db/database.js';
export { type EmbeddedPostgresHandle, findFreePort, startEmbeddedPostgres } from './db/embedded.js';
export { entities } from './db/entities.js';
export {
  initOrm,
  migrateDatabase,
  type OrmOptions,
  ormConfig,
  pingDatabase,
  runMigrations,
} from './db/orm.js';
export { type AuditActor, type AuditInput, recordAudit, scrubDetails } from './domains/audit/record-audit.js';
export * from './domains/keys/index.js';
// The PostgreSQL unit of work and the policy service it needs, for tests that run a core job directly.
export { TenantPolicyService } from './domains/policy/tenant-policy.js';
export * from './domains/tokens/index.js';
export { bumpGrantVersion, type Grant, loadGrant } from './domains/tokens/load-grant.js';
export * from './entities/accounts.js';
export * from './entities/api-keys.js';
export * from './entities/audit.js';
export * from './entities/groups.js';
export * from './entities/otp-challenges.js';
export { notPersonalData, personalData } from './entities/personal-data.js';
export * from './entities/tenants.js';
export { handleRequestValidationError } from './http/request-validation.js';
export { type Clock, ManualClock, systemClock } from './lib/clock.js';
export {
  deriveKey,
  hmacSha256,
  type KeyPurpose,
  open,
  type Sealed,
  safeEqual,
  seal,
  sha256,
} from './lib/crypto.js';
export { AppError, isAppError } from './lib/errors.js';
export { problem, sendProblem } from './lib/problem.js';
export { cryptoRandom, type RandomSource } from './lib/random.js';
export { errorHandler, installErrorHandling } from './plugins/error-handler.js';
export { createServices, type ServiceDeps, type Services } from './services.js';
export { PostgresUnitOfWork } from './stores/postgres/unit-of-work.js';
