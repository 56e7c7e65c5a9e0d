export { MemoryAuditLog } from './audit.js';
export { MemoryOtpChallengeStore } from './codes.js';
export { MemoryDatabase, MemoryTables } from './database.js';
export { MemorySessionStore } from './sessions.js';
