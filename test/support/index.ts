// Shared test helpers: import from '@enforcer/test/support' (or a relative path to this folder).

export { databaseUrl, withPg } from './pg';
export {
  type CreateTestDatabaseOptions,
  createTestDatabase,
  preparedTemplate,
  type TestDatabase,
} from './postgres';
