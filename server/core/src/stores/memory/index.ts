export { MemoryApiKeyStore } from './api-keys.js';
export { MemoryAuditLog } from './audit.js';
export { MemoryChallengeStore } from './challenges.js';
export { MemoryOtpChallengeStore } from './codes.js';
export { type KeptElsewhere, MemoryDatabase, MemoryTables } from './database.js';
export { type MemoryGroupRow, MemoryGroupStore } from './groups.js';
export { MemoryPasskeyStore } from './passkeys.js';
export { MemoryRevocationFeed, recordRevocationEvent } from './revocations.js';
export { MemorySessionStore } from './sessions.js';
export { MemorySigningKeys } from './signing-keys.js';
export {
  type MemoryInviteRow,
  MemoryInviteStore,
  type MemoryTenantRow,
  MemoryTenantStore,
} from './tenants.js';
export { MemoryThrottleStore } from './throttle.js';
