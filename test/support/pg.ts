// Plain node-postgres helpers with no vitest dependency, so the global setup (main process) can use them too.
import pg from 'pg';

/** Connects a pg.Client to `url`, runs `fn` with it and always closes it. */
export async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // A connection the server closes while idle (e.g. dropDatabase's FORCE) emits 'error', which would
  // crash the worker unhandled. Failures of real work still reject the awaited query.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The same server URL (credentials, host, options) pointing at another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/**
 * CREATE DATABASE, optionally as a copy of `template` (which must have no open connections).
 * STRATEGY FILE_COPY (PostgreSQL 15+) copies files plus a checkpoint: about 2x faster than the default
 * WAL_LOG for small databases (measured here: 9 vs 16 ms on tmpfs).
 */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const from = template ? ` template ${pg.escapeIdentifier(template)} strategy file_copy` : '';
  const sql = `create database ${pg.escapeIdentifier(name)}${from}`;
  await withPg(adminUrl, (client) => client.query(sql));
}

/** DROP DATABASE IF EXISTS; FORCE closes connections (e.g. a pool a test forgot to end) instead of failing. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withPg(adminUrl, (client) =>
    client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`),
  );
}
