import type { AccountSessions, AccountStore } from './accounts/ports.js';
import type { ApiKeyStore } from './api-keys/ports.js';
import type { ApplicationStore } from './applications/ports.js';
import type { AuditEventStore, AuditLog } from './audit/ports.js';
import type { ChallengeStore } from './challenges/ports.js';
import type { OtpChallengeStore } from './codes/ports.js';
import type { GroupStore } from './groups/ports.js';
import type { IdempotencyStore } from './idempotency/ports.js';
import type { KycStore } from './kyc/ports.js';
import type { MagicLinkStore } from './magic-links/ports.js';
import type { MessagingStore } from './messaging/ports.js';
import type { MfaStore } from './mfa/ports.js';
import type { HousekeepingStore } from './operator/housekeeping.js';
import type { UsageStore } from './operator/usage.js';
import type { PasskeyStore } from './passkeys/ports.js';
import type { PasswordStore } from './passwords/ports.js';
import type { IdentityStore, PersonStore } from './persons/ports.js';
import type { GrantReader, TenantPolicyStore } from './policy/ports.js';
import type { PrivacyStore } from './privacy/ports.js';
import type { RevocationFeedStore } from './revocations/ports.js';
import type { SessionStore } from './sessions/ports.js';
import type { OAuthStore } from './social-sign-in/ports.js';
import type { InviteStore, TenantMembers, TenantStore } from './tenants/ports.js';
import type { SendCounterStore, ThrottleStore } from './throttle/ports.js';
import type { WebhookStore } from './webhooks/ports.js';

/**
 * The stores a service works with inside one unit of work, all bound to one transaction: one port per
 * aggregate (see each domain's `ports.ts`). A service that changes several aggregates (a group and an
 * account's grant version and an audit event) does it through one `Repositories`, so it all commits or
 * none of it does.
 */
export interface Repositories {
  audit: AuditLog;
  /** Reading, verifying and purging audit events (the `audit` log only writes them). */
  auditEvents: AuditEventStore;
  policies: TenantPolicyStore;
  grants: GrantReader;
  /** The sign-in throttle's counters (the core's `SignInThrottle` joins a sign-in's unit of work). */
  throttle: ThrottleStore;
  /** The counters of codes sent (`countSend`: per destination, client, tenant). */
  sends: SendCounterStore;
  tenants: TenantStore;
  invites: InviteStore;
  /** `Idempotency-Key`s of `POST /accounts`, per tenant. */
  idempotency: IdempotencyStore;
  /** The accounts and groups a tenant's own rules create or look at (until those aggregates have ports). */
  members: TenantMembers;
  apiKeys: ApiKeyStore;
  /** Applications (machine clients) and the client tokens revoked before their expiry. */
  applications: ApplicationStore;
  revocations: RevocationFeedStore;
  accounts: AccountStore;
  persons: PersonStore;
  identities: IdentityStore;
  /** Single-use challenges (WebAuthn, SIWE nonces) and seen nonces (Google). */
  challenges: ChallengeStore;
  /** Persons' passkeys (WebAuthn credentials). */
  passkeys: PasskeyStore;
  groups: GroupStore;
  /** Second factors: TOTP authenticators, recovery codes, sign-ins waiting for their second factor. */
  mfa: MfaStore;
  /** Ending an account's sessions (deactivation). */
  accountSessions: AccountSessions;
  /** Persons' password hashes. */
  passwords: PasswordStore;
  /** Mailed sign-in links and each tenant's allowed redirect URLs. */
  magicLinks: MagicLinkStore;
  /** Each tenant's OAuth providers and redirect URLs; authorization-code transactions. */
  oauth: OAuthStore;
  /**
   * Sessions and their refresh tokens, in the unit of work: a sign-in's session commits with it. Refresh
   * rotation (`withFamily`) keeps its own transaction (the `RefreshTokenService`'s store).
   */
  sessions: SessionStore;
  /** One-time codes' challenges: a sign-in's spent code or counted wrong try commits with it. */
  codes: OtpChallengeStore;
  /** Deletion requests and the per-table work of erasing a person (#15). */
  privacy: PrivacyStore;
  /** Webhook endpoints, the outbox and deliveries (audit events write the outbox: `webhookEventsOfAudit`). */
  webhooks: WebhookStore;
  /** The KYC module: settings, verification sessions, persons' verifications, processed provider events. */
  kyc: KycStore;
  /** The messaging module: sender settings, tenants' templates, the mail outbox. */
  messaging: MessagingStore;
  /** Per-tenant usage: authorize-call counters and the figures of a period (the platform API). */
  usage: UsageStore;
  /** Deleting what sign-in left behind once it no longer matters (expired codes, ended sessions, ...). */
  housekeeping: HousekeepingStore;
}

/**
 * The port every store implements first. `transaction` commits what `work` wrote when it returns and
 * leaves nothing behind when it throws (PostgreSQL: one database transaction; memory: a snapshot restored).
 * `read` runs lookups that need no transaction. Units of work never nest: a service that needs another's
 * rule inside its transaction calls a function that takes `Repositories`, not the other service.
 */
export interface UnitOfWork {
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  read<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
}
