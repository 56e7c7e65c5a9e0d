// "The database cannot be reached right now" as opposed to "this query is wrong": the first is a 503 with
// Retry-After (try again shortly), the second stays a 500.

/** Seconds a client is told to wait (`Retry-After`) when the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Socket-level errors of the driver (node:net / pg) that mean the server is gone or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean the server cannot serve us now: class 08 (connection exception), 57P01-57P05
 * (admin or crash shutdown, cannot connect now, idle session timeout) and 53300 (too many connections).
 * Not 3D000 or 28xxx: a missing database or bad credentials are configuration errors, a 500 worth seeing.
 */
const unavailableSqlState = (code: string): boolean =>
  /^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-5]$/.test(code) || code === '53300';

/** Messages of pg, pg-pool, kysely and MikroORM for a lost connection or an exhausted / dead pool. */
const MESSAGES = [
  /connection terminated/i, // pg: "Connection terminated unexpectedly", "... due to connection timeout"
  /connection timeout/i,
  /timeout exceeded when trying to connect/i, // pg-pool connectionTimeoutMillis
  /knex: timeout acquiring a connection/i,
  /client has encountered a connection error and is not queryable/i,
  /cannot use a pool after calling end on the pool/i,
  /terminating connection due to administrator command/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /server closed the connection unexpectedly/i,
  /connect ECONNREFUSED/i,
];

/**
 * True when `error` (or anything in its `cause` chain, or an AggregateError's `errors`) says the database
 * is unreachable: connection refused or reset, the server shut down or restarting, a connection exception
 * SQLSTATE, or the pool could not hand out a connection in time. MikroORM copies the driver error's
 * `code` onto its DriverException, so both the raw `pg` error and MikroORM's wrapper are recognised.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): boolean => {
    if (depth > 8 || value === null || typeof value !== 'object' || seen.has(value)) return false;
    seen.add(value);
    const candidate = value as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === 'string') {
      if (NETWORK_CODES.has(candidate.code) || unavailableSqlState(candidate.code)) return true;
    }
    if (
      typeof candidate.message === 'string' &&
      MESSAGES.some((pattern) => pattern.test(candidate.message as string))
    ) {
      return true;
    }
    if (visit(candidate.cause, depth + 1)) return true;
    if (Array.isArray(candidate.errors)) return candidate.errors.some((inner) => visit(inner, depth + 1));
    return false;
  };
  return visit(error, 0);
}
