import type { ApiKeyRecord } from '../../api-keys/ports.js';
import type { ApplicationRecord, RevokedClientToken, UsedClientAssertion } from '../../applications/ports.js';
import type { ChainHead } from '../../audit/chain.js';
import type { AuditRecord } from '../../audit/ports.js';
import type { ChallengeRecord } from '../../challenges/ports.js';
import type { OtpChallengeRecord } from '../../codes/ports.js';
import type { KycSessionRecord, KycSettingsRecord, PersonVerificationRecord } from '../../kyc/ports.js';
import type { MagicLinkRecord } from '../../magic-links/ports.js';
import type {
  MessageTemplateRecord,
  MessagingSettingsRecord,
  OutboundMessageRecord,
} from '../../messaging/ports.js';
import type { AuthorizeCallCount } from '../../operator/usage.js';
import type { PasskeyRecord } from '../../passkeys/ports.js';
import type { PasswordRecord } from '../../passwords/ports.js';
import type { DeletionRequestRecord } from '../../privacy/ports.js';
import type { RevocationEventRecord } from '../../revocations/ports.js';
import type { RefreshTokenRecord, SessionRecord } from '../../sessions/ports.js';
import type { OAuthFlowRecord, OAuthSettingsRecord } from '../../social-sign-in/ports.js';
import type { Repositories, UnitOfWork } from '../../store.js';
import type { ThrottleCounter } from '../../throttle/ports.js';
import type {
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
  WebhookEventRecord,
} from '../../webhooks/ports.js';
import {
  type MemoryAccountRow,
  MemoryAccountSessions,
  MemoryAccountStore,
  MemoryGrantReader,
  MemoryTenantMembers,
} from './accounts.js';
import { MemoryApiKeyStore } from './api-keys.js';
import { MemoryApplicationStore } from './applications.js';
import { MemoryAuditEventStore, MemoryAuditLog } from './audit.js';
import { MemoryChallengeStore } from './challenges.js';
import { MemoryOtpChallengeStore } from './codes.js';
import { type MemoryGroupRow, MemoryGroupStore } from './groups.js';
import { MemoryHousekeepingStore } from './housekeeping.js';
import { type MemoryIdempotencyRow, MemoryIdempotencyStore } from './idempotency.js';
import { MemoryKycStore } from './kyc.js';
import { type MemoryMagicLinkSettingRow, MemoryMagicLinkStore } from './magic-links.js';
import { MemoryMessagingStore } from './messaging.js';
import { MemoryMfaStore, type MemoryMfaTables } from './mfa.js';
import { MemoryOAuthStore } from './oauth.js';
import { MemoryPasskeyStore } from './passkeys.js';
import { MemoryPasswordStore } from './passwords.js';
import {
  type MemoryIdentityRow,
  MemoryIdentityStore,
  type MemoryPersonRow,
  MemoryPersonStore,
} from './persons.js';
import { MemoryPolicyCache, MemoryTenantPolicyStore } from './policies.js';
import { MemoryPrivacyStore } from './privacy.js';
import { MemoryRevocationFeed, recordRevocationEvent } from './revocations.js';
import { MemorySessionStore } from './sessions.js';
import {
  type MemoryInviteRow,
  MemoryInviteStore,
  type MemoryTenantRow,
  MemoryTenantStore,
} from './tenants.js';
import { MemorySendCounterStore, MemoryThrottleStore } from './throttle.js';
import { MemoryUsageStore } from './usage.js';
import { MemoryWebhookStore } from './webhooks.js';

/**
 * The memory store's tables: one Map (or list) per aggregate, as PostgreSQL keeps one table per entity.
 * Domain stores add their table here and their repository to `repositories()`. Records are plain objects
 * (structured-cloneable): a transaction snapshots every table and restores the snapshot when its work
 * throws, so a failed unit of work leaves nothing behind, as a rolled-back transaction would.
 */
export class MemoryTables implements MemoryMfaTables {
  audit: AuditRecord[] = [];
  /** Each tenant's last audit event, by tenant id ('' for tenant-less events): where its chain goes on. */
  auditHeads = new Map<string, ChainHead>();
  /** Tenants' `audit_retention_days` when set (the tenants table's column on PostgreSQL). */
  auditRetention = new Map<string, number>();
  /** The sign-in throttle's counters by key (`account:…`, `client:…`). */
  throttle = new Map<string, ThrottleCounter>();
  /** Codes sent, by counter key: the current window's start (epoch ms) and its count. */
  sends = new Map<string, { windowStart: number; count: number }>();
  tenants = new Map<string, MemoryTenantRow>();
  invites = new Map<string, MemoryInviteRow>();
  /** `tenantId \0 key` → the first answer (POST /accounts). */
  idempotencyKeys = new Map<string, MemoryIdempotencyRow>();
  /** id → key. */
  apiKeys = new Map<string, ApiKeyRecord>();
  /** id → application (machine client, #18). */
  applications = new Map<string, ApplicationRecord>();
  /** jti → a client token revoked before its expiry. */
  revokedClientTokens = new Map<string, RevokedClientToken>();
  /** `applicationId \0 jti` → a client assertion already used (until it expires). */
  usedClientAssertions = new Map<string, UsedClientAssertion>();
  /** The revocation feed's log, in `xid` order. */
  revocationEvents: RevocationEventRecord[] = [];
  /** The last `xid` an event took (as PostgreSQL's, it never goes back, not even when tables are emptied). */
  lastRevocationXid = 0;
  /** Groups by id, each with its memberships. */
  groups = new Map<string, MemoryGroupRow>();
  /** Single-use challenges and seen nonces by id. */
  challenges = new Map<string, ChallengeRecord>();
  /** Persons by id (the email, when there is one, unique). */
  persons = new Map<string, MemoryPersonRow>();
  /** Accounts by id (one per person and tenant). */
  accounts = new Map<string, MemoryAccountRow>();
  /** Persons' linked identities by id (`(provider, subject)` unique). */
  identities = new Map<string, MemoryIdentityRow>();
  /** Sessions (refresh-token families) by id (`MemorySessionStore`). */
  sessions = new Map<string, SessionRecord>();
  /** Refresh tokens by id, and their ids by token hash (unique). */
  refreshTokens = new Map<string, RefreshTokenRecord>();
  refreshTokenIds = new Map<string, string>();
  /** Password hashes by person id. */
  passwords = new Map<string, PasswordRecord>();
  /** Mailed sign-in links by id. */
  magicLinks = new Map<string, MagicLinkRecord>();
  /** Allowed magic-link redirect URLs by tenant id. */
  magicLinkSettings = new Map<string, MemoryMagicLinkSettingRow>();
  /** OAuth providers and redirect URLs by tenant id; authorization-code transactions by id. */
  oauthSettings = new Map<string, OAuthSettingsRecord>();
  oauthFlows = new Map<string, OAuthFlowRecord>();
  /** One-time codes' challenges by id (`MemoryOtpChallengeStore`). */
  otpChallenges = new Map<string, OtpChallengeRecord>();
  /** Second factors: authenticators and recovery codes by person id, sign-in challenges by id. */
  totp: MemoryMfaTables['totp'] = new Map();
  recoveryCodes: MemoryMfaTables['recoveryCodes'] = new Map();
  mfaChallenges: MemoryMfaTables['mfaChallenges'] = new Map();
  /** Registered passkeys by id. */
  passkeys = new Map<string, PasskeyRecord>();
  /** Persons' deletion requests by id (#15). */
  deletionRequests = new Map<string, DeletionRequestRecord>();
  /** Tenants' `deletion_grace_days` when set (the tenants table's column on PostgreSQL). */
  deletionGrace = new Map<string, number>();
  /** Webhook endpoints by id. */
  webhookEndpoints = new Map<string, WebhookEndpointRecord>();
  /** The outbox: webhook events in the order they were written. */
  webhookEvents: WebhookEventRecord[] = [];
  /** Deliveries of events to endpoints by id. */
  webhookDeliveries = new Map<string, WebhookDeliveryRecord>();
  /** KYC (#16): settings by tenant id, sessions by id, verifications by person id, processed provider events. */
  kycSettings = new Map<string, KycSettingsRecord>();
  kycSessions = new Map<string, KycSessionRecord>();
  personVerifications = new Map<string, PersonVerificationRecord>();
  /** `tenantId \0 provider \0 eventId` → when it was processed. */
  kycEvents = new Map<string, Date>();
  /** Messaging (#16): sender settings by tenant id, templates by `tenantId \0 kind \0 locale`, the mail outbox by id. */
  messagingSettings = new Map<string, MessagingSettingsRecord>();
  messageTemplates = new Map<string, MessageTemplateRecord>();
  outboundMessages = new Map<string, OutboundMessageRecord>();
  /** Authorize calls by `tenantId day` (the usage counter, #15). */
  authorizeCalls = new Map<string, AuthorizeCallCount>();
}

/**
 * The memory store's unit of work. Units of work run one at a time (a queue stands in for row locks and
 * serialisable isolation), reads included, so a read never sees a transaction's half-done writes.
 */
export class MemoryDatabase implements UnitOfWork {
  tables = new MemoryTables();
  readonly #now: () => Date;
  #queue: Promise<unknown> = Promise.resolve();

  /** Tenants' compiled policies (a cache, not a table). */
  readonly compiledPolicies = new MemoryPolicyCache();
  /** Sessions and refresh tokens (its `withFamily` is a unit of work of this database: never call it in one). */
  readonly sessions: MemorySessionStore;
  /** One-time codes' challenges (its `withScope` keeps its own queue; the table rolls back with the rest). */
  readonly codes = new MemoryOtpChallengeStore(() => this.tables.otpChallenges);

  constructor(options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
    this.sessions = new MemorySessionStore(this, {
      // What the server's database triggers do: the revocation feed hears of it.
      onRevoke: (session) =>
        recordRevocationEvent(this, {
          tenantId: session.tenantId,
          kind: 'session_revoked',
          sessionId: session.id,
          accountId: session.accountId,
        }),
    });
  }

  now(): Date {
    return this.#now();
  }

  /** The repositories over the current tables (no queue: for seeding and tests, never inside a unit of work). */
  repositories(): Repositories {
    const grants = new MemoryGrantReader(this);
    return {
      audit: new MemoryAuditLog(this),
      auditEvents: new MemoryAuditEventStore(this),
      tenants: new MemoryTenantStore(this),
      invites: new MemoryInviteStore(this),
      idempotency: new MemoryIdempotencyStore(this),
      throttle: new MemoryThrottleStore(this),
      sends: new MemorySendCounterStore(this),
      apiKeys: new MemoryApiKeyStore(this),
      applications: new MemoryApplicationStore(this),
      groups: new MemoryGroupStore(this),
      challenges: new MemoryChallengeStore(this),
      revocations: new MemoryRevocationFeed(this, grants),
      policies: new MemoryTenantPolicyStore(this, this.compiledPolicies),
      grants,
      members: new MemoryTenantMembers(this),
      accounts: new MemoryAccountStore(this),
      accountSessions: new MemoryAccountSessions(this),
      persons: new MemoryPersonStore(this),
      identities: new MemoryIdentityStore(this),
      passwords: new MemoryPasswordStore(this),
      magicLinks: new MemoryMagicLinkStore(this),
      oauth: new MemoryOAuthStore(this),
      usage: new MemoryUsageStore(this),
      housekeeping: new MemoryHousekeepingStore(this),
      sessions: this.sessions,
      codes: this.codes,
      mfa: new MemoryMfaStore(this),
      passkeys: new MemoryPasskeyStore(this),
      privacy: new MemoryPrivacyStore(this),
      webhooks: new MemoryWebhookStore(this),
      kyc: new MemoryKycStore(this),
      messaging: new MemoryMessagingStore(this),
    };
  }

  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      const snapshot = structuredClone(this.tables);
      try {
        return await work(this.repositories());
      } catch (error) {
        this.tables = snapshot;
        // Policy versions went back with the tenants table: a compile cached for a lost version must go.
        this.compiledPolicies.clear();
        throw error;
      }
    });
  }

  read<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.#enqueue(() => work(this.repositories()));
  }

  /** Empties every table (the mock's `reset()`). */
  clear(): void {
    const { lastRevocationXid } = this.tables;
    this.tables = new MemoryTables();
    // A verifier's cursor from before stays valid: it must not take new events for ones it has read.
    this.tables.lastRevocationXid = lastRevocationXid;
    this.compiledPolicies.clear();
  }

  #enqueue<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
