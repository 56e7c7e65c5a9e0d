export { MemoryOtpChallengeStore } from './codes.js';
export { MemorySessionStore } from './sessions.js';
