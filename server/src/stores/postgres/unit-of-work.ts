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

/**
 * The repositories over one entity manager (one transaction, or a fork for reads), each made on first
 * use: a unit of work touches two or three of the thirty-two, and `/authorize` runs one per request. A class
 * with a lazy getter per repository, so a unit of work costs one small object (not a closure and a
 * property definition per repository).
 */
class PostgresRepositories implements Repositories {
  readonly #em: () => EntityManager;
  readonly #deps: PostgresStoreDeps;
  #audit: PostgresAuditLog | undefined;
  #auditEvents: PostgresAuditEventStore | undefined;
  #policies: PostgresTenantPolicyStore | undefined;
  #grants: PostgresGrantReader | undefined;
  #throttle: PostgresThrottleStore | undefined;
  #sends: PostgresSendCounterStore | undefined;
  #tenants: PostgresTenantStore | undefined;
  #invites: PostgresInviteStore | undefined;
  #idempotency: PostgresIdempotencyStore | undefined;
  #members: PostgresTenantMembers | undefined;
  #apiKeys: PostgresApiKeyStore | undefined;
  #applications: PostgresApplicationStore | undefined;
  #revocations: PostgresRevocationFeed | undefined;
  #accounts: PostgresAccountStore | undefined;
  #persons: PostgresPersonStore | undefined;
  #identities: PostgresIdentityStore | undefined;
  #challenges: PostgresChallengeStore | undefined;
  #passkeys: PostgresPasskeyStore | undefined;
  #groups: PostgresGroupStore | undefined;
  #accountSessions: PostgresAccountSessions | undefined;
  #passwords: PostgresPasswordStore | undefined;
  #magicLinks: PostgresMagicLinkStore | undefined;
  #oauth: PostgresOAuthStore | undefined;
  #sessions: PostgresSessionStore | undefined;
  #codes: PostgresOtpChallengeStore | undefined;
  #mfa: PostgresMfaStore | undefined;
  #privacy: PostgresPrivacyStore | undefined;
  #webhooks: PostgresWebhookStore | undefined;
  #kyc: PostgresKycStore | undefined;
  #messaging: PostgresMessagingStore | undefined;
  #usage: PostgresUsageStore | undefined;
  #housekeeping: PostgresHousekeepingStore | undefined;

  constructor(em: () => EntityManager, deps: PostgresStoreDeps) {
    this.#em = em;
    this.#deps = deps;
  }

  get audit(): PostgresAuditLog {
    this.#audit ??= new PostgresAuditLog(this.#em(), this.#deps.clock);
    return this.#audit;
  }
  get auditEvents(): PostgresAuditEventStore {
    this.#auditEvents ??= new PostgresAuditEventStore(this.#em());
    return this.#auditEvents;
  }
  // Takes `em` unforked: a decision whose policy is cached reads no row and needs no fork.
  get policies(): PostgresTenantPolicyStore {
    this.#policies ??= new PostgresTenantPolicyStore(this.#em, this.#deps.policies);
    return this.#policies;
  }
  get grants(): PostgresGrantReader {
    this.#grants ??= new PostgresGrantReader(this.#em());
    return this.#grants;
  }
  get throttle(): PostgresThrottleStore {
    this.#throttle ??= new PostgresThrottleStore(this.#em());
    return this.#throttle;
  }
  get sends(): PostgresSendCounterStore {
    this.#sends ??= new PostgresSendCounterStore(this.#em());
    return this.#sends;
  }
  get tenants(): PostgresTenantStore {
    this.#tenants ??= new PostgresTenantStore(this.#em());
    return this.#tenants;
  }
  get invites(): PostgresInviteStore {
    this.#invites ??= new PostgresInviteStore(this.#em(), this.#deps.clock);
    return this.#invites;
  }
  get idempotency(): PostgresIdempotencyStore {
    this.#idempotency ??= new PostgresIdempotencyStore(this.#em());
    return this.#idempotency;
  }
  get members(): PostgresTenantMembers {
    this.#members ??= new PostgresTenantMembers(this.#em(), this.#deps.clock);
    return this.#members;
  }
  get apiKeys(): PostgresApiKeyStore {
    this.#apiKeys ??= new PostgresApiKeyStore(this.#em());
    return this.#apiKeys;
  }
  get applications(): PostgresApplicationStore {
    this.#applications ??= new PostgresApplicationStore(this.#em());
    return this.#applications;
  }
  get revocations(): PostgresRevocationFeed {
    this.#revocations ??= new PostgresRevocationFeed(this.#em());
    return this.#revocations;
  }
  get accounts(): PostgresAccountStore {
    this.#accounts ??= new PostgresAccountStore(this.#em(), this.#deps.clock);
    return this.#accounts;
  }
  get persons(): PostgresPersonStore {
    this.#persons ??= new PostgresPersonStore(this.#em(), this.#deps.clock);
    return this.#persons;
  }
  get identities(): PostgresIdentityStore {
    this.#identities ??= new PostgresIdentityStore(this.#em(), this.#deps.clock);
    return this.#identities;
  }
  get challenges(): PostgresChallengeStore {
    this.#challenges ??= new PostgresChallengeStore(this.#em());
    return this.#challenges;
  }
  get passkeys(): PostgresPasskeyStore {
    this.#passkeys ??= new PostgresPasskeyStore(this.#em());
    return this.#passkeys;
  }
  get groups(): PostgresGroupStore {
    this.#groups ??= new PostgresGroupStore(this.#em());
    return this.#groups;
  }
  get accountSessions(): PostgresAccountSessions {
    this.#accountSessions ??= new PostgresAccountSessions(this.#em(), this.#deps.clock);
    return this.#accountSessions;
  }
  get passwords(): PostgresPasswordStore {
    this.#passwords ??= new PostgresPasswordStore(this.#em());
    return this.#passwords;
  }
  get magicLinks(): PostgresMagicLinkStore {
    this.#magicLinks ??= new PostgresMagicLinkStore(this.#em());
    return this.#magicLinks;
  }
  get oauth(): PostgresOAuthStore {
    this.#oauth ??= new PostgresOAuthStore(this.#em());
    return this.#oauth;
  }
  get sessions(): PostgresSessionStore {
    this.#sessions ??= new PostgresSessionStore({ tx: this.#em() });
    return this.#sessions;
  }
  get codes(): PostgresOtpChallengeStore {
    this.#codes ??= new PostgresOtpChallengeStore({ tx: this.#em() });
    return this.#codes;
  }
  get mfa(): PostgresMfaStore {
    this.#mfa ??= new PostgresMfaStore(this.#em());
    return this.#mfa;
  }
  get privacy(): PostgresPrivacyStore {
    this.#privacy ??= new PostgresPrivacyStore(this.#em());
    return this.#privacy;
  }
  get webhooks(): PostgresWebhookStore {
    this.#webhooks ??= new PostgresWebhookStore(this.#em());
    return this.#webhooks;
  }
  get kyc(): PostgresKycStore {
    this.#kyc ??= new PostgresKycStore(this.#em());
    return this.#kyc;
  }
  get messaging(): PostgresMessagingStore {
    this.#messaging ??= new PostgresMessagingStore(this.#em());
    return this.#messaging;
  }
  get usage(): PostgresUsageStore {
    this.#usage ??= new PostgresUsageStore(this.#em());
    return this.#usage;
  }
  get housekeeping(): PostgresHousekeepingStore {
    this.#housekeeping ??= new PostgresHousekeepingStore(this.#em());
    return this.#housekeeping;
  }
}

/** The repositories over one entity manager, or over one made on first use (`em` a function: a fork for reads). */
export function postgresRepositories(
  em: EntityManager | (() => EntityManager),
  deps: PostgresStoreDeps,
): Repositories {
  return new PostgresRepositories(typeof em === 'function' ? em : () => em, deps);
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
