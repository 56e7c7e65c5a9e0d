import { type AddressInfo, createServer, type Socket } from 'node:net';
import { ConnectionException, DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { findFreePort } from '../db/embedded.js';
import { isDatabaseUnavailable } from './database-unavailable.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises a refused connection from the real driver', async () => {
    const port = await findFreePort();
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'x', password: 'x', database: 'x' });
    const error = await client.connect().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('recognises a pool that cannot connect in time (a server that accepts and never answers)', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts TCP, says nothing: a hung PostgreSQL
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port,
      user: 'x',
      password: 'x',
      connectionTimeoutMillis: 200,
    });
    try {
      const error = await pool.query('select 1').then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isDatabaseUnavailable(error), String(error)).toBe(true);
    } finally {
      await pool.end().catch(() => {});
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it.each([
    ['ECONNREFUSED', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['ECONNRESET', withCode('read ECONNRESET', 'ECONNRESET')],
    ['admin shutdown 57P01', withCode('terminating connection due to administrator command', '57P01')],
    ['cannot connect now 57P03', withCode('the database system is starting up', '57P03')],
    ['connection exception 08006', withCode('connection failure', '08006')],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly')],
    ['pg-pool timeout', new Error('timeout exceeded when trying to connect')],
    ['knex timeout', new Error('Knex: Timeout acquiring a connection. The pool is probably full.')],
    ['MikroORM wrapper', new DriverException(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))],
    ['MikroORM ConnectionException', new ConnectionException(new Error('Connection terminated'))],
    ['a cause chain', new Error('query failed', { cause: withCode('x', 'ECONNRESET') })],
    ['an AggregateError', new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')])],
  ])('%s is unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new UniqueConstraintViolationException(withCode('duplicate key', '23505'))],
    ['a syntax error', withCode('syntax error at or near', '42601')],
    ['a missing database (configuration)', withCode('database "x" does not exist', '3D000')],
    ['bad credentials (configuration)', withCode('password authentication failed', '28P01')],
    ['a plain TypeError', new TypeError('Cannot read properties of undefined')],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('%s is not', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('does not loop on a cyclic cause', () => {
    const error = new Error('a') as Error & { cause?: unknown };
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
