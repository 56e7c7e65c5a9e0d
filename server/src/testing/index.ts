// @enforcer/server/testing: what tests outside the server need, named for what they do. A test starts
// a server on the test PostgreSQL with a clock it moves (`startTestServer`), seeds tenants and accounts,
// reads what the server stored (audit events, sent SMS, rows) and counts queries. Entities stay behind
// this entry: when the server's internals move (into @enforcer/core), only this file follows them.

import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { TokenResponse } from '@enforcer/contract';
import type { PurgeCounts } from '@enforcer/core';
import { generateInviteCode, generateTenantCode, hashInviteCode, rateLimitClasses } from '@enforcer/core';
import type { FilterQuery, InferEntity, MikroORM } from '@mikro-orm/postgresql';
import { buildApp } from '../app.js';
import { type Config, parseConfig } from '../config.js';
import { initOrm, migrateDatabase } from '../db/orm.js';
import { DevelopmentMailDelivery } from '../domains/auth/mail/development.js';
import type { MailMessage } from '../domains/auth/mail/mail-delivery.js';
import { fastTestArgon2Hasher } from '../domains/auth/methods/password/hashing.js';
import { DevelopmentSms } from '../domains/auth/sms/development.js';
import type { SigningKeyStore } from '../domains/keys/signing-key-store.js';
import { housekeepingRun } from '../domains/platform/housekeeping-job.js';
import { Account, type IAccount, type IPerson, Person } from '../entities/accounts.js';
import { ApiKey } from '../entities/api-keys.js';
import { Application } from '../entities/applications.js';
import { AuditEvent, type IAuditEvent } from '../entities/audit.js';
import { AuthChallenge } from '../entities/auth-challenges.js';
import { Group, GroupMembership } from '../entities/groups.js';
import { PersonIdentity } from '../entities/identities.js';
import { MagicLinkToken } from '../entities/magic-links.js';
import { RecoveryCode, TotpCredential } from '../entities/mfa.js';
import { OAuthFlow, OAuthSetting } from '../entities/oauth.js';
import { OtpChallenge } from '../entities/otp-challenges.js';
import { PasskeyCredential } from '../entities/passkeys.js';
import { PasswordCredential } from '../entities/passwords.js';
import { RefreshToken, Session } from '../entities/sessions.js';
import { Invite, type ITenant, Tenant } from '../entities/tenants.js';
import { AuthThrottle, RateLimitCounter } from '../entities/throttle.js';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../entities/webhooks.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { cryptoRandom, type RandomSource } from '../lib/random.js';
import { type ProvisionTenantInput, provisionTenant } from '../stores/postgres/provision-tenant.js';

export type { MailMessage } from '../domains/auth/mail/mail-delivery.js';
/** The server's password hasher and its argon2id parameters (the bench measures the machine's bound with them). */
export {
  ARGON2_OPTIONS,
  argon2Hasher,
  FAST_TEST_ARGON2_OPTIONS,
} from '../domains/auth/methods/password/hashing.js';
export { type Clock, ManualClock } from '../lib/clock.js';
export type { RandomSource } from '../lib/random.js';
export { totpCode } from './totp.js';

/**
 * Every class of the general rate limit raised out of reach (`RATE_LIMIT_<CLASS>_PER_*`): for test servers
 * (`testConfig`) and servers a test starts as a process (the contract fuzzer), so only the tests of the
 * limit itself (test/e2e/rate-limits.test.ts) meet it.
 */
export const RAISED_RATE_LIMITS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    rateLimitClasses.flatMap((routeClass) => {
      const name = `RATE_LIMIT_${routeClass.toUpperCase().replace('-', '_')}`;
      return [
        [`${name}_PER_CREDENTIAL`, '100000000'],
        [`${name}_PER_IP`, '100000000'],
      ];
    }),
  ),
);

/** A valid test configuration with a fresh master key; `env` overrides environment variables. */
export function testConfig(env: Record<string, string> = {}): Config {
  // Test files ask for many codes from 127.0.0.1 and for few addresses: the send limits are raised unless a
  // test sets them (test/e2e/send-limits.test.ts runs with the defaults).
  // The general rate limit likewise (test/e2e/rate-limits.test.ts sets its own).
  const parsed = parseConfig({
    NODE_ENV: 'test',
    SEND_LIMIT_PER_DESTINATION: '1000',
    SEND_LIMIT_PER_CLIENT: '1000',
    ...RAISED_RATE_LIMITS,
    ...env,
  });
  return { ...parsed, masterKey: parsed.masterKey ?? randomBytes(32), masterKeySource: 'env' };
}

/**
 * A fresh database for this test file (from test/support), migrated, with an ORM on it.
 * Call at collection time or in beforeAll; closes the ORM after the file.
 */
export async function createTestOrm(): Promise<{ orm: MikroORM; url: string; close(): Promise<void> }> {
  // Loaded here, not at the top: test/support needs vitest's runner, a benchmark script has none.
  const { createTestDatabase, preparedTemplate } = await import('../../../test/support/index.js');
  // The migrations run once per `vitest run` into a template; each test database is a copy of it.
  const template = await preparedTemplate('migrated', migrateDatabase);
  const db = await createTestDatabase({ autoDrop: false, template });
  const orm = await initOrm(db.url, { poolMax: 5 });
  return {
    orm,
    url: db.url,
    close: async () => {
      await orm.close(true);
      await db.drop();
    },
  };
}

/** A tenant, a person and their account in it (the server's own unit tests). */
export async function seedAccount(
  orm: MikroORM,
  options: { email?: string; role?: string; tenant?: ITenant } = {},
): Promise<{ tenant: ITenant; person: IPerson; account: IAccount }> {
  const em = orm.em.fork();
  const tenant =
    options.tenant ??
    em.create(Tenant, {
      code: generateTenantCode(cryptoRandom),
      name: 'Acme Pay',
      policy: null,
      policyEtag: null,
      logoUrl: null,
    });
  const person = em.create(Person, {
    email: options.email ?? `${randomBytes(6).toString('hex')}@example.com`,
    emailVerifiedAt: null,
  });
  const account = em.create(Account, {
    person,
    tenant: options.tenant ? em.getReference(Tenant, tenant.id) : tenant,
    role: options.role ?? 'member',
    roles: [options.role ?? 'member'],
  });
  await em.flush();
  return { tenant, person, account };
}

// ---------------------------------------------------------------------------------------------
// Stored records, read by name (the test asserts on what the server wrote, never writes through it)

/**
 * The entity of each kind of stored record, named (an interface, so declaration files refer to the entities
 * by name instead of spelling out their inferred types, which grew past what tsc will serialize).
 */
interface RecordEntities {
  accounts: typeof Account;
  apiKeys: typeof ApiKey;
  applications: typeof Application;
  auditEvents: typeof AuditEvent;
  authChallenges: typeof AuthChallenge;
  authThrottles: typeof AuthThrottle;
  identities: typeof PersonIdentity;
  invites: typeof Invite;
  magicLinks: typeof MagicLinkToken;
  oauthFlows: typeof OAuthFlow;
  oauthSettings: typeof OAuthSetting;
  otpChallenges: typeof OtpChallenge;
  passkeys: typeof PasskeyCredential;
  passwords: typeof PasswordCredential;
  people: typeof Person;
  rateLimitCounters: typeof RateLimitCounter;
  recoveryCodes: typeof RecoveryCode;
  refreshTokens: typeof RefreshToken;
  sessions: typeof Session;
  tenants: typeof Tenant;
  totpCredentials: typeof TotpCredential;
  webhookEndpoints: typeof WebhookEndpoint;
  webhookEvents: typeof WebhookEvent;
  webhookDeliveries: typeof WebhookDelivery;
}

const records: RecordEntities = {
  accounts: Account,
  apiKeys: ApiKey,
  applications: Application,
  auditEvents: AuditEvent,
  authChallenges: AuthChallenge,
  authThrottles: AuthThrottle,
  identities: PersonIdentity,
  invites: Invite,
  magicLinks: MagicLinkToken,
  oauthFlows: OAuthFlow,
  oauthSettings: OAuthSetting,
  otpChallenges: OtpChallenge,
  passkeys: PasskeyCredential,
  passwords: PasswordCredential,
  people: Person,
  rateLimitCounters: RateLimitCounter,
  recoveryCodes: RecoveryCode,
  refreshTokens: RefreshToken,
  sessions: Session,
  tenants: Tenant,
  totpCredentials: TotpCredential,
  webhookEndpoints: WebhookEndpoint,
  webhookEvents: WebhookEvent,
  webhookDeliveries: WebhookDelivery,
};

/** What `records(...)` can read: a name for each kind of stored record. */
export type RecordKind = keyof RecordEntities;
type RecordOf<K extends RecordKind> = InferEntity<RecordEntities[K]>;

export interface ReadOptions<T> {
  orderBy?: { [P in keyof T]?: 'asc' | 'desc' };
  limit?: number;
}

/** Reads of one kind of stored record. */
export interface RecordReader<T> {
  find(where?: FilterQuery<T>, options?: ReadOptions<T>): Promise<T[]>;
  /** The one record matching `where`; throws when there is none. */
  one(where: FilterQuery<T> | string): Promise<T>;
  count(where?: FilterQuery<T>): Promise<number>;
}

/** A tenant as seeded: its id, code and settings. */
export type SeededTenantRecord = ITenant;

export interface SeedTenantInput extends Partial<ProvisionTenantInput> {
  /** Sign-in method settings (`PUT /tenants/:id/auth-settings` shape), stored as is. */
  authSettings?: Record<string, unknown>;
}

/** Seeding and reading one test database (shared by every server started on it). */
export interface TestData {
  /** A provisioned tenant (default policy, `verified` group), as `POST /tenants` would make it. */
  seedTenant(input?: SeedTenantInput): Promise<SeededTenantRecord>;
  /** A person (email verified unless said otherwise) and their account in a tenant. */
  seedAccount(input: {
    tenantId: string;
    role?: string;
    email?: string;
    emailVerified?: boolean;
  }): Promise<{ accountId: string; personId: string; email: string }>;
  /** An invite as the tenants domain writes it (only the code's hash is stored); returns the code. */
  seedInvite(input: {
    tenantId: string;
    email: string;
    role?: string;
    expiresAt: Date;
  }): Promise<{ id: string; code: string }>;
  /** Changes tenant fields behind the API's back (settings the API has no route for in a test's setup). */
  updateTenant(
    tenantId: string,
    fields: Partial<
      Pick<ITenant, 'authProviders' | 'allowSignup' | 'authSettings' | 'policy' | 'policyVersion'>
    >,
  ): Promise<void>;
  setAccountActive(accountId: string, active: boolean): Promise<void>;
  /** Puts an account into one of its tenant's groups (by name) directly. */
  addToGroup(accountId: string, groupName: string): Promise<void>;
  /** Removes an account from every group directly (no change notification from the API). */
  removeFromAllGroups(accountId: string): Promise<void>;
  /** Audit events matching `where` (in storage order unless `orderBy` says otherwise). */
  auditEvents(where?: FilterQuery<IAuditEvent>, options?: ReadOptions<IAuditEvent>): Promise<IAuditEvent[]>;
  records<K extends RecordKind>(kind: K): RecordReader<RecordOf<K>>;
  /** The database's connection URL, for SQL by hand. */
  url: string;
}

function testData(orm: MikroORM, url: string, random: RandomSource): TestData {
  const fork = () => orm.em.fork();
  const reader = <T extends object>(entity: unknown): RecordReader<T> => ({
    find: (where = {} as FilterQuery<T>, options = {}) =>
      fork().find(entity as never, where as never, options as never) as Promise<T[]>,
    one: (where) => fork().findOneOrFail(entity as never, where as never) as Promise<T>,
    count: (where = {} as FilterQuery<T>) => fork().count(entity as never, where as never),
  });
  return {
    url,
    seedTenant: async (input = {}) => {
      const { authSettings, ...provision } = input;
      const tenant = await fork().transactional((tx) =>
        provisionTenant(tx, random, { name: 'Acme Pay', ...provision }),
      );
      if (authSettings) {
        await fork().nativeUpdate(Tenant, { id: tenant.id }, { authSettings });
        tenant.authSettings = authSettings;
      }
      return tenant;
    },
    seedAccount: async ({ tenantId, role = 'member', email, emailVerified = true }) => {
      const em = fork();
      const address = email ?? `${role}-${randomBytes(5).toString('hex')}@example.com`;
      const person = em.create(Person, {
        email: address,
        emailVerifiedAt: emailVerified ? new Date() : null,
      });
      const account = em.create(Account, { person, tenant: tenantId, role, roles: [role] });
      await em.flush();
      return { accountId: account.id, personId: person.id, email: address };
    },
    seedInvite: async ({ tenantId, email, role = 'admin', expiresAt }) => {
      const code = generateInviteCode(random);
      const em = fork();
      const invite = em.create(Invite, {
        tenant: tenantId,
        email,
        role,
        codeHash: await hashInviteCode(code),
        createdBy: null,
        acceptedBy: null,
        expiresAt,
        acceptedAt: null,
      });
      await em.flush();
      return { code, id: invite.id };
    },
    updateTenant: async (tenantId, fields) => {
      await fork().nativeUpdate(Tenant, { id: tenantId }, fields as never);
    },
    setAccountActive: async (accountId, active) => {
      // The status goes with the flag, as the core's `setActive` sets it (by nobody: a test's doing).
      const status = active ? 'active' : 'deactivated';
      await fork().nativeUpdate(
        Account,
        { id: accountId },
        {
          active,
          status,
          statusChangedAt: new Date(),
          statusChangedBy: null,
          statusReason: null,
          lockedUntil: null,
        },
      );
    },
    addToGroup: async (accountId, groupName) => {
      const em = fork();
      const account = await em.findOneOrFail(Account, accountId);
      const group = await em.findOneOrFail(Group, { tenant: account.tenant, name: groupName });
      em.create(GroupMembership, { group, account, tenant: account.tenant });
      await em.flush();
    },
    removeFromAllGroups: async (accountId) => {
      await fork().nativeDelete(GroupMembership, { account: accountId });
    },
    auditEvents: (where = {}, options = {}) => fork().find(AuditEvent, where as never, options as never),
    records: (kind) => reader(records[kind] as never),
  };
}

// ---------------------------------------------------------------------------------------------
// A running server

export interface StartTestServerOptions {
  /** Environment overrides for the server's configuration (`NODE_ENV` is `test` unless set). */
  env?: Record<string, string>;
  /** A `ManualClock` for a test that moves time; default: the system clock. */
  clock?: Clock;
  random?: RandomSource;
  /** Share the database of a server already started (several servers, one database). */
  shareDatabaseWith?: TestServer;
  /** Use this database (migrated here, kept on close) instead of a fresh one: outside vitest's runner. */
  databaseUrl?: string;
  /**
   * Keep every request and answer in `requests` and `answers` (default true). A benchmark turns it off:
   * hundreds of thousands of kept entries would make it measure its own bookkeeping (and the garbage
   * collector walking it).
   */
  recordRequests?: boolean;
  /**
   * `'production'` (default): passwords hashed with argon2id at the server's parameters (ARGON2_OPTIONS).
   * `'fast'`: argon2id at the smallest cost (FAST_TEST_ARGON2_OPTIONS), for suites that sign in with
   * passwords hundreds of times (about 20 ms of CPU each at the server's parameters, 0.2 ms here).
   */
  passwordHashing?: 'production' | 'fast';
}

/** A session `TestServer.signIn` opened: its tokens, and the account, person and tenant it is for. */
export interface SignedIn {
  accessToken: string;
  tokenType: 'Bearer';
  /** When the access token expires. */
  expiresAt: Date;
  refreshToken: string;
  sessionId: string;
  accountId: string;
  personId: string;
  tenantId: string;
  /** The answer `POST /auth/login` would give for this session. */
  response: TokenResponse;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.1:<port>/api/v1/enforcer` */
  baseUrl: string;
  /** The server's configuration (issuer, audience, key and token lifetimes…). */
  config: Config;
  clock: Clock;
  /** Seeding and reading the server's database. */
  db: TestData;
  /**
   * A session for an account, as a successful sign-in starts it (the core's `SessionTokens.open` in one
   * unit of work; no sign-in flow run). Throws `account_inactive` for a deactivated account.
   */
  signIn(input: { accountId: string; amr?: string[]; mfaAt?: Date | null }): Promise<SignedIn>;
  /** One housekeeping run (the ten-minute job's), at the server's clock: what it deleted per table. */
  housekeeping(): Promise<PurgeCounts & { tenantsDeleted: number }>;
  /** Ends a session server-side (its refresh token family), as logout or an admin would. */
  revokeSession(sessionId: string, reason: string): Promise<void>;
  /** The signing keys: the active private key, rotation, the JWKS. */
  keys: Pick<SigningKeyStore, 'getSigningKey' | 'rotate' | 'getJwks'>;
  /** SMS the development adapter kept (newest last); undefined when a real gateway is configured. */
  sentSms(): Array<{ to: string; text: string }> | undefined;
  /**
   * Mail the development delivery kept (its last 100, newest last); undefined when an SMTP server is
   * configured. Mail a tenant sends goes through the outbox: it is here once the delivery worker sent it.
   */
  sentMail(): MailMessage[] | undefined;
  /**
   * Calls `listener` with every mail the development delivery sends from now on (as the worker delivers
   * it); returns the unsubscribe, or undefined when an SMTP server is configured.
   */
  onMail(listener: (mail: MailMessage) => void): (() => void) | undefined;
  /** Every request the server received, as `METHOD /path?query`, oldest first (none with `recordRequests: false`). */
  requests: string[];
  /** Every answer the server gave: the method, the path without the query, the status; oldest first. */
  answers: Array<{ method: string; path: string; status: number }>;
  /** Whether the principal cache is on (it is unless the configuration turns it off). */
  principalCacheEnabled: boolean;
  /** Runs `call` and returns the SQL statements the server's ORM sent meanwhile. */
  queriesDuring(call: () => Promise<unknown>): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Starts a server on a fresh migrated test database (or another server's): a test configuration,
 * signing keys, listening on a free loopback port. Close it after the file (`close()`).
 */
export async function startTestServer(options: StartTestServerOptions = {}): Promise<TestServer> {
  const shared = options.shareDatabaseWith ? owned.get(options.shareDatabaseWith) : undefined;
  if (options.shareDatabaseWith && !shared) throw new Error('shareDatabaseWith: not a started test server');
  const database = shared ? undefined : await openDatabase(options.databaseUrl);
  const orm = shared?.orm ?? database!.orm;
  const url = shared?.url ?? database!.url;
  const clock = options.clock ?? systemClock;
  const app = buildApp(testConfig(options.env), {
    orm,
    clock,
    ...(options.random ? { random: options.random } : {}),
    ...(options.passwordHashing === 'fast' ? { passwordHasher: fastTestArgon2Hasher } : {}),
  });
  const { services } = app;
  const requests: string[] = [];
  const answers: TestServer['answers'] = [];
  if (options.recordRequests !== false) {
    app.addHook('onRequest', async (request) => {
      requests.push(`${request.method} ${request.url}`);
    });
    app.addHook('onResponse', async (request, reply) => {
      answers.push({ method: request.method, path: request.url.split('?')[0]!, status: reply.statusCode });
    });
  }
  await services.keys.ensureKeys();
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  let closed: Promise<void> | undefined;
  const server: TestServer = {
    origin,
    baseUrl: `${origin}/api/v1/enforcer`,
    config: services.config,
    clock,
    db: testData(orm, url, services.random),
    signIn: async ({ accountId, amr = ['otp'], mfaAt }) => {
      const { sessionId, response } = await services.uow.transaction((repos) =>
        services.authSessions.open(repos, { accountId, amr, mfaAt: mfaAt ?? null, client: {} }),
      );
      return {
        accessToken: response.token,
        tokenType: response.token_type,
        expiresAt: new Date(response.expires_at),
        // Opened here, not over HTTP: the refresh token is always in the answer (no cookie mode).
        refreshToken: response.refresh_token ?? '',
        sessionId,
        accountId: response.account.id,
        personId: response.person.id,
        tenantId: response.tenant.id,
        response,
      };
    },
    housekeeping: () => housekeepingRun(app.services),
    revokeSession: async (sessionId, reason) => {
      await services.refreshTokens.revokeSession(sessionId, reason);
    },
    keys: services.keys,
    sentSms: () => (services.sms instanceof DevelopmentSms ? [...services.sms.outbox] : undefined),
    sentMail: () => (services.mail instanceof DevelopmentMailDelivery ? services.mail.outbox : undefined),
    onMail: (listener) =>
      services.mail instanceof DevelopmentMailDelivery ? services.mail.subscribe(listener) : undefined,
    requests,
    answers,
    principalCacheEnabled: services.principalCache.enabled,
    queriesDuring: async (call) => {
      const queries: string[] = [];
      const logger = orm.config.getLogger();
      const original = logger.logQuery.bind(logger);
      logger.logQuery = (context) => {
        queries.push(context.query ?? '');
        original(context);
      };
      orm.config.set('debug', true);
      try {
        await call();
      } finally {
        orm.config.set('debug', false);
        logger.logQuery = original;
      }
      return queries;
    },
    close: () => {
      closed ??= (async () => {
        // Seen once under heavy load: closing hung until the hook timed out. Say so, then close the
        // remaining connections so the file can end.
        const closing = app.close();
        const slow = await Promise.race([closing.then(() => false), delay(15_000).then(() => true)]);
        if (slow) {
          console.error(
            '@enforcer/server/testing: app.close() still waiting after 15 s; closing all connections',
          );
          app.server.closeAllConnections();
          await closing;
        }
        await database?.close();
      })();
      return closed;
    },
  };
  owned.set(server, { orm, url });
  return server;
}

const owned = new WeakMap<TestServer, { orm: MikroORM; url: string }>();

/** A fresh test database, or the one at `url` (migrated, not dropped on close). */
async function openDatabase(url: string | undefined) {
  if (!url) return createTestOrm();
  await migrateDatabase(url);
  const orm = await initOrm(url, { poolMax: 5 });
  return { orm, url, close: () => orm.close(true) };
}
