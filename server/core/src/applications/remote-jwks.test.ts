// The cache of applications' `jwks_uri` keys (#18): one fetch for concurrent needs, the lifetime, the
// cooldown that bounds what made-up kids can cost, stale keys while the URL fails. No network: a stub fetch.
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { JwksUnavailable, RemoteJwksCache } from './remote-jwks.js';

const key = async (kid: string) => ({
  ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey)),
  kid,
});
const k1 = await key('k1');
const k2 = await key('k2');

function setup() {
  let now = Date.parse('2026-12-07T00:00:00Z');
  let document: unknown = { keys: [k1] };
  let failing = false;
  const fetched: string[] = [];
  const cache = new RemoteJwksCache({
    clock: { now: () => new Date(now) },
    fetch: async (url) => {
      fetched.push(url.href);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failing) throw new Error('connection refused');
      return document;
    },
  });
  return {
    cache,
    fetched,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
    publish: (value: unknown) => {
      document = value;
    },
    fail: (value: boolean) => {
      failing = value;
    },
  };
}

const url = 'https://keys.example.com/jwks.json';
const kids = (keys: { kid?: string }[] | null) => keys?.map((k) => k.kid) ?? null;

describe('RemoteJwksCache', () => {
  it('fetches once for concurrent needs, then serves the keys for 300 s', async () => {
    const { cache, fetched, advance } = setup();
    const answers = await Promise.all([cache.keys(url), cache.keys(url), cache.keys(url)]);
    expect(answers.map(kids)).toEqual([['k1'], ['k1'], ['k1']]);
    expect(fetched).toHaveLength(1);
    advance(299);
    await cache.keys(url);
    expect(fetched).toHaveLength(1);
    advance(2);
    await cache.keys(url);
    expect(fetched).toHaveLength(2);
  });

  it('refetches on an unknown kid at most once per 30 s, however many ask', async () => {
    const { cache, fetched, advance, publish } = setup();
    await cache.keys(url);
    publish({ keys: [k1, k2] });
    expect(await cache.refreshed(url)).toBeNull(); // fetched just now: not again
    expect(fetched).toHaveLength(1);
    advance(30);
    const [a, b] = await Promise.all([cache.refreshed(url), cache.refreshed(url)]);
    expect(kids(a)).toEqual(['k1', 'k2']);
    expect(kids(b)).toEqual(['k1', 'k2']);
    expect(fetched).toHaveLength(2);
    for (let i = 0; i < 10; i++) expect(await cache.refreshed(url)).toBeNull();
    expect(fetched).toHaveLength(2);
    expect(kids(await cache.keys(url))).toEqual(['k1', 'k2']);
  });

  it('keeps serving fetched keys while the URL fails; without any, refuses and waits out the cooldown', async () => {
    const { cache, fetched, advance, fail } = setup();
    await cache.keys(url);
    advance(301);
    fail(true);
    expect(kids(await cache.keys(url))).toEqual(['k1']); // stale, after a failed fetch
    expect(fetched).toHaveLength(2);

    const other = 'https://other.example.com/jwks.json';
    await expect(cache.keys(other)).rejects.toBeInstanceOf(JwksUnavailable);
    await expect(cache.keys(other)).rejects.toBeInstanceOf(JwksUnavailable);
    expect(fetched.filter((u) => u === other)).toHaveLength(1);
    advance(30);
    fail(false);
    expect(kids(await cache.keys(other))).toEqual(['k1']);
  });

  it('refuses a document that is not a JWKS of usable public signing keys', async () => {
    for (const document of [
      'text',
      { keys: [] },
      { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'k' }] },
      { keys: [{ ...k1, d: 'private' }] },
      {
        keys: [
          { ...k1, kid: undefined },
          { ...k2, kid: undefined },
        ],
      },
    ]) {
      const { cache, publish } = setup();
      publish(document);
      await expect(cache.keys(url), JSON.stringify(document)).rejects.toBeInstanceOf(JwksUnavailable);
    }
  });
});
