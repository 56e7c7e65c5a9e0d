import { RefreshTokenService } from '@enforcer/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config.js';
import { SigningKeyStore } from './domains/keys/signing-key-store.js';
import { TenantPolicyService } from './domains/policy/tenant-policy.js';
import { AccessTokenService } from './domains/tokens/access-token.js';
import { auditRefreshTokenReuse } from './domains/tokens/reuse-audit.js';
import { SessionTokenService } from './domains/tokens/session-tokens.js';
import { type Clock, systemClock } from './lib/clock.js';
import { deriveKey } from './lib/crypto.js';
import { cryptoRandom, type RandomSource } from './lib/random.js';
import { PrincipalCache } from './plugins/principal-cache.js';
import { PostgresSessionStore } from './stores/postgres/sessions.js';
import { PostgresUnitOfWork } from './stores/postgres/unit-of-work.js';

/** What the services share, injectable so tests control time and randomness. */
export interface ServiceDeps {
  clock?: Clock;
  random?: RandomSource;
}

/** The server's services, built once and shared by every route (`app.services`). */
export interface Services {
  config: Config;
  orm: MikroORM;
  /** The core's unit of work over PostgreSQL: every core service's stores, one transaction at a time. */
  uow: PostgresUnitOfWork;
  clock: Clock;
  random: RandomSource;
  keys: SigningKeyStore;
  accessTokens: AccessTokenService;
  refreshTokens: RefreshTokenService;
  sessions: SessionTokenService;
  /** Each tenant's compiled policy, cached per version. */
  policies: TenantPolicyService;
  /** Sessions' accounts as the last authentication read them; emptied by change notifications. */
  principalCache: PrincipalCache;
}

export function createServices(config: Config, orm: MikroORM, deps: ServiceDeps = {}): Services {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? cryptoRandom;
  const keys = new SigningKeyStore({
    orm,
    masterKey: config.masterKey,
    clock,
    random,
    retentionSeconds: config.keys.retentionSeconds,
    minPendingAgeSeconds: config.keys.jwksMaxAgeSeconds,
  });
  const accessTokens = new AccessTokenService({
    keys,
    clock,
    random,
    issuer: config.issuer,
    audience: config.audience,
    ttlSeconds: config.tokens.accessTtlSeconds,
    clockToleranceSeconds: config.tokens.clockToleranceSeconds,
  });
  const refreshTokens = new RefreshTokenService({
    store: new PostgresSessionStore({ orm }),
    clock,
    random,
    successorKey: deriveKey(config.masterKey, 'refresh-token-successor'),
    idleTtlSeconds: config.tokens.refreshIdleTtlSeconds,
    absoluteTtlSeconds: config.tokens.refreshAbsoluteTtlSeconds,
    graceSeconds: config.tokens.refreshGraceSeconds,
    onReuse: auditRefreshTokenReuse(orm, clock),
  });
  const sessions = new SessionTokenService({
    orm,
    access: accessTokens,
    refresh: refreshTokens,
    storeIn: (tx) => new PostgresSessionStore({ tx }),
  });
  const policies = new TenantPolicyService();
  const principalCache = new PrincipalCache();
  return {
    config,
    orm,
    uow: new PostgresUnitOfWork({ orm, clock, policies }),
    clock,
    random,
    keys,
    accessTokens,
    refreshTokens,
    sessions,
    policies,
    principalCache,
  };
}
