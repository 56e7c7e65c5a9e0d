// The server's fetch of applications' `jwks_uri` (#18, `private_key_jwt`): the SSRF rules it shares with
// webhook deliveries, with a stubbed resolver (no traffic to a non-loopback address, ever), the address
// pinned for the connection, and its size, time and answer limits against a JWKS server on loopback.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAppError, JwksUnavailable } from '@enforcer/core';
import { afterAll, describe, expect, it } from 'vitest';
import { stubResolver } from '../../testing/webhook-worker-fixtures.js';
import { pinnedRequest } from '../webhooks/send.js';
import { jwksFetcher, jwksUriRules } from './jwks-fetch.js';

const privateHosts: Record<string, string[]> = {
  'private.example.com': ['10.0.0.5'],
  'metadata.example.com': ['169.254.169.254'],
  'loopback.example.com': ['127.0.0.1'],
  'v6-loopback.example.com': ['::1'],
  'mapped.example.com': ['::ffff:192.168.1.10'],
  // One private answer among public ones is refused too (a rebinding attacker controls the order).
  'mixed.example.com': ['93.184.215.14', '10.1.2.3'],
};

// A JWKS server on loopback whose answer each test sets.
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('{}');
let hits = 0;
const jwksServer = createServer((req, res) => {
  hits++;
  handler(req, res);
});
await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
const port = (jwksServer.address() as AddressInfo).port;
afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));
const local = new URL(`http://127.0.0.1:${port}/jwks.json`);
const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' }] };

describe('jwks_uri in production: public addresses only', () => {
  it('refuses a host resolving to a private, loopback, link-local or mapped address, checked at every fetch', async () => {
    const resolve = stubResolver(privateHosts);
    const fetch = jwksFetcher({ production: true, resolve });
    const before = hits;
    for (const host of Object.keys(privateHosts)) {
      const error = await fetch(new URL(`https://${host}/jwks.json`)).catch((e: unknown) => e);
      expect(error, host).toBeInstanceOf(JwksUnavailable);
      expect(String((error as Error).message)).toMatch(/not a public address/);
    }
    // Asked again at the next fetch (not remembered from a first answer that a rebinding would change).
    await fetch(new URL('https://private.example.com/jwks.json')).catch(() => undefined);
    expect(resolve.asked.filter((h) => h === 'private.example.com')).toHaveLength(2);
    expect(hits).toBe(before);
  });

  it('refuses plain http (even to localhost) and literal private addresses without resolving anything', async () => {
    const resolve = stubResolver({});
    const fetch = jwksFetcher({ production: true, resolve });
    for (const url of [
      `http://127.0.0.1:${port}/jwks.json`,
      'http://localhost/jwks.json',
      'https://10.0.0.1/jwks.json',
      'https://[::1]/jwks.json',
      'https://169.254.169.254/latest/meta-data',
      'https://user:pass@keys.example.com/jwks.json',
    ]) {
      await expect(fetch(new URL(url)), url).rejects.toBeInstanceOf(JwksUnavailable);
    }
    expect(resolve.asked).toEqual([]);
  });

  it('refuses such a jwks_uri at registration: 400 validation_failed on body.jwks_uri', async () => {
    const rules = jwksUriRules(true, stubResolver(privateHosts));
    for (const host of ['private.example.com', 'metadata.example.com', 'unknown.example.com']) {
      const error = await rules.checkHost!(new URL(`https://${host}/jwks.json`)).catch((e: unknown) => e);
      expect(isAppError(error) && error.code).toBe('validation_failed');
      expect((error as { errors?: { path: string }[] }).errors?.[0]?.path).toBe('body.jwks_uri');
    }
    const publicRules = jwksUriRules(true, stubResolver({ 'keys.example.com': ['93.184.215.14'] }));
    await expect(
      publicRules.checkHost!(new URL('https://keys.example.com/jwks.json')),
    ).resolves.toBeUndefined();
    expect(rules.allowLocalHttp).toBe(false);
    expect(jwksUriRules(false).allowLocalHttp).toBe(true);
  });
});

describe('the connection goes to the address checked', () => {
  it('connects to the pinned address whatever the name would resolve to', async () => {
    handler = (req, res) => res.end(JSON.stringify({ host: req.headers.host }));
    // The name is unresolvable: only the pinned address can have answered.
    const outcome = await pinnedRequest({
      method: 'GET',
      url: new URL(`http://jwks.invalid:${port}/jwks.json`),
      address: { address: '127.0.0.1', family: 4 },
      headers: {},
      timeoutMs: 2000,
      maxBodyBytes: 1024,
      overflow: 'fail',
    });
    expect(outcome).toMatchObject({ kind: 'answered', status: 200 });
    expect(JSON.parse((outcome as { body: string }).body)).toEqual({ host: `jwks.invalid:${port}` });
  });
});

describe('jwks_uri in development: http to localhost, with limits', () => {
  const fetch = jwksFetcher({ production: false, timeoutMs: 300, maxBytes: 2048 });

  it('fetches the document from loopback', async () => {
    handler = (req, res) => {
      expect(req.method).toBe('GET');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwks));
    };
    expect(await fetch(local)).toEqual(jwks);
  });

  it('refuses an answer over the size limit, a non-200 (redirects are not followed), non-JSON, and a slow server', async () => {
    handler = (_req, res) => res.end(JSON.stringify({ keys: [], pad: 'x'.repeat(4096) }));
    await expect(fetch(local)).rejects.toThrow(/larger than 2048 bytes/);
    handler = (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/');
      res.end();
    };
    await expect(fetch(local)).rejects.toThrow(/answered 302/);
    handler = (_req, res) => res.end('<html>');
    await expect(fetch(local)).rejects.toThrow(/other than JSON/);
    handler = (_req, res) => setTimeout(() => res.end(JSON.stringify(jwks)), 1500);
    const started = Date.now();
    await expect(fetch(local)).rejects.toThrow(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('still refuses http to anything but localhost', async () => {
    await expect(fetch(new URL('http://keys.example.com/jwks.json'))).rejects.toBeInstanceOf(JwksUnavailable);
  });
});
