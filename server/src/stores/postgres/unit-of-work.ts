import type { Repositories, UnitOfWork } from '@enforcer/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { TenantPolicyService } from '../../domains/policy/tenant-policy.js';
import type { Clock } from '../../lib/clock.js';
import { PostgresAccountSessions, PostgresAccountStore } from './accounts.js';
import { PostgresApiKeyStore } from './api-keys.js';
import { PostgresApplicationStore } from './applications.js';
import { PostgresAuditEventStore, PostgresAuditLog } from './audit.js';
import { PostgresChallengeStore } from './challenges.js';
import { PostgresOtpChallengeStore } from './codes.js';
import { PostgresGrantReader } from './grants.js';
import { PostgresGroupStore } from './groups.js';
import { PostgresHousekeepingStore } from './housekeeping.js';
import { PostgresIdempotencyStore } from './idempotency.js';
import { PostgresKycStore } from './kyc.js';
import { PostgresMagicLinkStore } from './magic-links.js';
import { PostgresMessagingStore } from './messaging.js';
import { PostgresMfaStore } from './mfa.js';
import { PostgresOAuthStore } from './oauth.js';
import { PostgresPasskeyStore } from './passkeys.js';
import { PostgresPasswordStore } from './passwords.js';
import { PostgresIdentityStore, PostgresPersonStore } from './persons.js';
import { PostgresTenantPolicyStore } from './policies.js';
import { PostgresPrivacyStore } from './privacy.js';
import { PostgresRevocationFeed } from './revocations.js';
import { PostgresSessionStore } from './sessions.js';
import { PostgresInviteStore, PostgresTenantMembers, PostgresTenantStore } from './tenants.js';
import { PostgresSendCounterStore, PostgresThrottleStore } from './throttle.js';
import { PostgresUsageStore } from './usage.js';
import { PostgresWebhookStore } from './webhooks.js';

/** How each repository is made over an entity manager (`em()` forks one on first use, for reads). */
const makers = (
  em: () => EntityManager,
  deps: PostgresStoreDeps,
): { [K in keyof Repositories]: () => Repositories[K] } => ({
  audit: () => new PostgresAuditLog(em(), deps.clock),
  auditEvents: () => new PostgresAuditEventStore(em()),
  // Takes `em` unforked: a decision whose policy is cached reads no row and needs no fork.
  policies: () => new PostgresTenantPolicyStore(em, deps.policies),
  grants: () => new PostgresGrantReader(em()),
  throttle: () => new PostgresThrottleStore(em()),
  sends: () => new PostgresSendCounterStore(em()),
  tenants: () => new PostgresTenantStore(em()),
  invites: () => new PostgresInviteStore(em(), deps.clock),
  idempotency: () => new PostgresIdempotencyStore(em()),
  members: () => new PostgresTenantMembers(em(), deps.clock),
  apiKeys: () => new PostgresApiKeyStore(em()),
  applications: () => new PostgresApplicationStore(em()),
  revocations: () => new PostgresRevocationFeed(em()),
  accounts: () => new PostgresAccountStore(em(), deps.clock),
  persons: () => new PostgresPersonStore(em(), deps.clock),
  identities: () => new PostgresIdentityStore(em(), deps.clock),
  challenges: () => new PostgresChallengeStore(em()),
  passkeys: () => new PostgresPasskeyStore(em()),
  groups: () => new PostgresGroupStore(em()),
  accountSessions: () => new PostgresAccountSessions(em(), deps.clock),
  passwords: () => new PostgresPasswordStore(em()),
  magicLinks: () => new PostgresMagicLinkStore(em()),
  oauth: () => new PostgresOAuthStore(em()),
  sessions: () => new PostgresSessionStore({ tx: em() }),
  codes: () => new PostgresOtpChallengeStore({ tx: em() }),
  mfa: () => new PostgresMfaStore(em()),
  privacy: () => new PostgresPrivacyStore(em()),
  webhooks: () => new PostgresWebhookStore(em()),
  kyc: () => new PostgresKycStore(em()),
  messaging: () => new PostgresMessagingStore(em()),
  usage: () => new PostgresUsageStore(em()),
  housekeeping: () => new PostgresHousekeepingStore(em()),
});

/**
 * The repositories over one entity manager (one transaction, or a fork for reads), each made on first
 * use: a unit of work touches two or three of the twenty, and `/authorize` runs one per request.
 */
export function postgresRepositories(
  em: EntityManager | (() => EntityManager),
  deps: PostgresStoreDeps,
): Repositories {
  const entityManager = typeof em === 'function' ? em : () => em;
  const repos = {} as Repositories;
  for (const [name, make] of Object.entries(makers(entityManager, deps))) {
    Object.defineProperty(repos, name, {
      enumerable: true,
      get() {
        const store = make();
        Object.defineProperty(repos, name, { value: store, enumerable: true });
        return store;
      },
      configurable: true,
    });
  }
  return repos;
}

/** What the PostgreSQL repositories share across units of work. */
export interface PostgresStoreDeps {
  clock: Clock;
  /** The process-wide compile cache of tenants' policies. */
  policies: TenantPolicyService;
}

/**
 * The PostgreSQL unit of work: `transaction` is one database transaction on a fresh fork of the entity
 * manager (flushed and committed when the work returns, rolled back when it throws); `read` a fresh fork
 * with no transaction, made when a repository first needs it. Locks a rule needs (`FOR UPDATE` on a tenant row) are taken by the repositories.
 */
export class PostgresUnitOfWork implements UnitOfWork {
  readonly #orm: MikroORM;
  readonly #deps: PostgresStoreDeps;

  constructor(options: { orm: MikroORM } & PostgresStoreDeps) {
    this.#orm = options.orm;
    this.#deps = { clock: options.clock, policies: options.policies };
  }

  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.#orm.em.fork().transactional((em) => work(postgresRepositories(em, this.#deps)));
  }

  read<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    let fork: EntityManager | undefined;
    return work(postgresRepositories(() => (fork ??= this.#orm.em.fork()), this.#deps));
  }

  /** Repositories joining a caller's transaction (code not yet moved to the unit of work). */
  within(em: EntityManager): Repositories {
    return postgresRepositories(em, this.#deps);
  }
}
