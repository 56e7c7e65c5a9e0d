import { Writable } from 'node:stream';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, loggerOptions, redactQuery } from './app.js';
import { AppError } from './lib/errors.js';
import { securityHeaders } from './plugins/security-headers.js';
import { createTestOrm, testConfig } from './testing/index.js';

const db = await createTestOrm();
afterAll(() => db.close());

const config = testConfig({ ENFORCER_BODY_LIMIT: '1024' });
let app: FastifyInstance;

beforeAll(async () => {
  app = buildApp(config, { orm: db.orm });
  app.post('/echo', async (request) => ({ received: request.body }));
  app.get('/app-error', async () => {
    throw new AppError('forbidden', 'Members of "verified" only', { headers: { 'x-extra': '1' } });
  });
  app.get('/boom', async () => {
    throw new Error('connection string postgres://secret@db leaked');
  });
  app.get('/zod', async () => z.object({ email: z.email() }).parse({ email: 'nope' }));
  app.get('/ts-rest', async () => {
    const error = Object.assign(new Error('validation'), {
      name: 'RequestValidationError',
      pathParams: null,
      headers: null,
      query: null,
      body: { issues: [{ path: ['email'], message: 'Invalid email' }] },
    });
    throw error;
  });
  await app.services.keys.ensureKeys();
  await app.ready();
});
afterAll(() => app.close());

const problemOf = (response: { headers: Record<string, unknown>; json(): unknown }) => {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  return response.json() as Record<string, unknown>;
};

describe('health', () => {
  for (const prefix of ['', '/api/v1/enforcer']) {
    it(`GET ${prefix}/healthz and ${prefix}/readyz`, async () => {
      const live = await app.inject({ method: 'GET', url: `${prefix}/healthz` });
      expect(live.statusCode).toBe(200);
      expect(live.json()).toEqual({ status: 'ok' });
      const ready = await app.inject({ method: 'GET', url: `${prefix}/readyz` });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', signing_keys: 'ok' } });
    });
  }

  it('readyz is a 503 problem when the database does not answer', async () => {
    const down = {
      em: { getConnection: () => ({ execute: () => Promise.reject(new Error('ECONNREFUSED')) }) },
    } as unknown as MikroORM;
    const broken = buildApp(config, { orm: down, services: app.services });
    const response = await broken.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(problemOf(response)).toMatchObject({ status: 503, code: 'unavailable' });
    expect((await broken.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await broken.close();
  });

  it('answers over real HTTP', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${address}/api/v1/enforcer/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('errors are RFC 9457 problems', () => {
  it('malformed JSON → 400, never 500', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response)).toEqual({
      type: 'https://enforcer.dev/problems/bad-request',
      title: 'Bad request',
      status: 400,
      detail: 'The request body is not valid JSON',
      instance: '/echo',
      code: 'bad_request',
    });
  });

  it('prototype poisoning and an empty JSON body → 400', async () => {
    const poisoned = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__": {"admin": true}}',
    });
    expect(poisoned.statusCode).toBe(400);
    const empty = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(problemOf(empty)).toMatchObject({ status: 400, code: 'bad_request' });
  });

  it('oversized body → 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ data: 'x'.repeat(2048) }),
    });
    expect(response.statusCode).toBe(413);
    expect(problemOf(response)).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('unsupported media type → 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(response.statusCode).toBe(415);
    expect(problemOf(response)).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('unknown route → 404; known path, wrong method → 405 with Allow', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/v1/enforcer/nothing-here?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(problemOf(missing)).toMatchObject({
      code: 'not_found',
      instance: '/api/v1/enforcer/nothing-here',
    });
    const wrong = await app.inject({ method: 'DELETE', url: '/api/v1/enforcer/healthz' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
    expect(problemOf(wrong)).toMatchObject({ code: 'method_not_allowed', status: 405 });
  });

  it('an AppError keeps its code, detail and headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/app-error' });
    expect(response.statusCode).toBe(403);
    expect(response.headers['x-extra']).toBe('1');
    expect(problemOf(response)).toMatchObject({ code: 'forbidden', detail: 'Members of "verified" only' });
  });

  it('schema violations → 400 validation_failed with field paths', async () => {
    const zod = problemOf(await app.inject({ method: 'GET', url: '/zod' }));
    expect(zod).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ path: 'email' }] });
    const tsRest = problemOf(await app.inject({ method: 'GET', url: '/ts-rest' }));
    expect(tsRest).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'body.email', message: 'Invalid email' }],
    });
  });

  it('an unexpected error → 500 internal_error that reveals nothing', async () => {
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(problemOf(response)).toMatchObject({
      code: 'internal_error',
      detail: 'An unexpected error occurred',
    });
    expect(response.body).not.toContain('secret');
  });
});

describe('logging', () => {
  it('redacts credentials and one-time secrets', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ ...loggerOptions(testConfig({ LOG_LEVEL: 'info' })) }, sink);
    log.info({
      req: {
        headers: { authorization: 'Bearer eyJ.secret', cookie: 'sid=secret', 'x-api-key': 'ek_secret' },
      },
      body: { email: 'a@example.com', otp: '123456', refresh_token: 'ert_secret' },
      token: 'eyJ.secret',
    });
    expect(lines.join('')).not.toMatch(/secret|123456/);
    expect(lines.join('')).toContain('a@example.com');
  });

  it('masks secrets in logged query strings', () => {
    expect(redactQuery('/cb?code=123456&state=abc&refresh_token=ert_x')).toBe(
      '/cb?code=%5Bredacted%5D&state=abc&refresh_token=%5Bredacted%5D',
    );
    expect(redactQuery('/plain')).toBe('/plain');
  });
});

describe('security headers', () => {
  it('are on every answer: a route, a problem, a 404', async () => {
    for (const url of ['/healthz', '/app-error', '/nothing-here']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(response.headers).toMatchObject({
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'cross-origin',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      // Not in development and tests: HSTS would pin localhost to HTTPS.
      expect(response.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('HSTS in production only', () => {
    expect(securityHeaders({ env: 'production' })['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
    expect(securityHeaders({ env: 'development' })['strict-transport-security']).toBeUndefined();
  });
});
