export { MemorySessionStore } from './sessions.js';
