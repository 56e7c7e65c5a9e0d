// Values the global setup hands to test files through vitest's provide/inject.
// Typed here so `inject('pgAdminUrl')` is a string, not unknown.
declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's maintenance database: may CREATE and DROP databases. */
    pgAdminUrl: string;
    /** Database that createTestDatabase() clones by default (empty for now; later the migrated schema). */
    pgTemplateDatabase: string;
    /** Prefix of every database this run creates, so leftovers on a shared server can be found and dropped. */
    pgDatabasePrefix: string;
  }
}

export {};
