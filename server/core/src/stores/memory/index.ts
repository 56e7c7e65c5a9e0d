export { MemoryAuditLog } from './audit.js';
export { MemoryOtpChallengeStore } from './codes.js';
export { type KeptElsewhere, MemoryDatabase, MemoryTables } from './database.js';
export { type MemoryGroupRow, MemoryGroupStore } from './groups.js';
export { MemorySessionStore } from './sessions.js';
