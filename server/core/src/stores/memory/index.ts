export {
  accountOfPerson,
  accountProfileOf,
  accountsOf,
  bumpGrant,
  groupNamesOf,
  insertAccount,
  type MemoryAccountRow,
  MemoryAccountSessions,
  MemoryAccountStore,
  MemoryGrantReader,
  MemoryTenantMembers,
} from './accounts.js';
export { MemoryApiKeyStore } from './api-keys.js';
export { MemoryApplicationStore } from './applications.js';
export { MemoryAuditEventStore, MemoryAuditLog } from './audit.js';
export { MemoryChallengeStore } from './challenges.js';
export { MemoryOtpChallengeStore } from './codes.js';
export { MemoryDatabase, MemoryTables } from './database.js';
export { type MemoryGroupRow, MemoryGroupStore } from './groups.js';
export { MemoryKycStore } from './kyc.js';
export { type MemoryMagicLinkSettingRow, MemoryMagicLinkStore } from './magic-links.js';
export { MemoryMessagingStore } from './messaging.js';
export { MemoryMfaStore, type MemoryMfaTables } from './mfa.js';
export { MemoryOAuthStore } from './oauth.js';
export { MemoryPasskeyStore } from './passkeys.js';
export { MemoryPasswordStore } from './passwords.js';
export {
  type MemoryIdentityRow,
  MemoryIdentityStore,
  type MemoryPersonRow,
  MemoryPersonStore,
  personByEmail,
} from './persons.js';
export { type MemoryCompiledPolicy, MemoryPolicyCache, MemoryTenantPolicyStore } from './policies.js';
export { MemoryPrivacyStore } from './privacy.js';
export { MemoryRevocationFeed, recordRevocationEvent } from './revocations.js';
export {
  groupNamed,
  seedAccount,
  seedGrant,
  seedGroup,
  seedMembership,
  seedPerson,
  seedPolicy,
  seedTenant,
} from './seed.js';
export { MemorySessionStore } from './sessions.js';
export { MemorySigningKeys } from './signing-keys.js';
export {
  type MemoryInviteRow,
  MemoryInviteStore,
  type MemoryTenantRow,
  MemoryTenantStore,
  tenantRecord,
} from './tenants.js';
export { MemorySendCounterStore, MemoryThrottleStore } from './throttle.js';
export { appendWebhookEvent, MemoryWebhookStore } from './webhooks.js';
