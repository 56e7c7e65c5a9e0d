import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';

/**
 * The busiest statements (every refresh runs three) as named prepared statements on the pool's own
 * connections. MikroORM's `execute` inlines the parameters into the SQL text, so every call is a new
 * statement that PostgreSQL parses and plans again: planning the account-context read cost more than
 * running it. A named statement is parsed once per connection, and after a few executions PostgreSQL
 * keeps a generic plan for it.
 *
 * Only outside a transaction: a transaction's statements must run on its connection, which the entity
 * manager holds, so there `execute` runs them as before. The same rows either way: the pool is the one
 * the ORM built, with its type parsers. Not logged by the ORM's query logger.
 */

interface Statement {
  name: string;
  text: string;
}

/** Statements by their SQL (with `?` placeholders). Bounded: callers pass a handful of fixed texts. */
const statements = new Map<string, Statement>();
const MAX_STATEMENTS = 64;

function statementOf(sql: string): Statement | { name: undefined; text: string } {
  const known = statements.get(sql);
  if (known) return known;
  let n = 0;
  // The hot statements use `?` only as a placeholder (no `?` operators, no literals containing one).
  const text = sql.replace(/\?/g, () => `$${++n}`);
  if (statements.size >= MAX_STATEMENTS) return { name: undefined, text };
  const statement = { name: `enforcer_hot_${statements.size + 1}`, text };
  statements.set(sql, statement);
  return statement;
}

const pools = new WeakMap<object, Promise<pg.Pool>>();

/**
 * `sql` (placeholders `?`) with `params`: a named prepared statement on a pooled connection, or, inside
 * a transaction, the entity manager's `execute`. Resolves the rows.
 */
export async function executePrepared<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  if (em.isInTransaction()) return em.execute<T[]>(sql, params);
  const connection = em.getConnection();
  let pool = pools.get(connection);
  if (!pool) {
    pool = (connection.getNativeClient() as Promise<pg.Pool>).catch((error: unknown) => {
      pools.delete(connection); // not connected yet (the database down at start): ask again next time
      throw error;
    });
    pools.set(connection, pool);
  }
  const { name, text } = statementOf(sql);
  const result = await (await pool).query<T & pg.QueryResultRow>(
    name ? { name, text, values: params } : { text, values: params },
  );
  return result.rows;
}
