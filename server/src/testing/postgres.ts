// @enforcer/server/testing/postgres: the server's own PostgreSQL runtime for tests that run a cluster
// themselves (the test run's shared server, a server process with its own embedded database). Kept apart
// from ./index.ts so loading it does not load the app.
export { findFreePort } from '../db/embedded.js';
export {
  initCluster,
  type Postmaster,
  placeDataDir,
  postgresRuntime,
  readPostmasterPid,
  removeCluster,
  spawnPostmaster,
} from '../db/postgres-runtime.js';
