import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { importKeySet } from './import-key-set';
import { RemoteKeySet } from './remote-key-set';

let es256: JWK;
let es384: JWK;
let privateEs256: JWK;
beforeAll(async () => {
  const a = await generateKeyPair('ES256', { extractable: true });
  es256 = { ...(await exportJWK(a.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  privateEs256 = { ...(await exportJWK(a.privateKey)), kid: 'priv', alg: 'ES256' };
  const b = await generateKeyPair('ES384', { extractable: true });
  es384 = { ...(await exportJWK(b.publicKey)), kid: 'k384' };
});

describe('importKeySet', () => {
  it('keeps only public signature keys with a kid and an allowed algorithm that fits them', async () => {
    const keys = await importKeySet(
      {
        keys: [
          es256,
          { ...es256 }, // the same kid again: the first one wins
          privateEs256, // private material is never imported
          { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac', alg: 'HS256' },
          { ...es256, kid: 'enc', use: 'enc' },
          { ...es256, kid: 'ops', key_ops: ['sign'] },
          { ...es256, kid: undefined },
          { ...es256, kid: 'wrong-curve', alg: 'ES384' },
          es384, // ES384 is not in the allowlist
          { ...es256, kid: 'inferred', alg: undefined }, // EC P-256 without alg: ES256
        ],
      },
      new Set(['ES256']),
    );
    expect([...keys.keys()]).toEqual(['k1', 'inferred']);
    expect(keys.get('k1')).toMatchObject({ alg: 'ES256' });
    expect(keys.get('k1')!.key.type).toBe('public');
  });

  it('accepts nothing from something that is not a JWKS', async () => {
    for (const value of [null, 'x', { keys: 'x' }, { keys: [null, 1] }]) {
      expect((await importKeySet(value, new Set(['ES256']))).size).toBe(0);
    }
  });
});

describe('RemoteKeySet', () => {
  function setup(jwks: () => unknown, options: { fail?: () => boolean } = {}) {
    let now = 1_000_000;
    const calls: RequestInit[] = [];
    const errors: Error[] = [];
    const set = new RemoteKeySet({
      uri: 'https://auth.example.com/jwks.json',
      algorithms: new Set(['ES256']),
      maxAgeMs: 60_000,
      cooldownMs: 10_000,
      maxStaleMs: 120_000,
      timeoutMs: 1000,
      now: () => now,
      onError: (error) => errors.push(error),
      onKeysRemoved: () => {},
      fetch: (async (_url: string, init: RequestInit) => {
        calls.push(init);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (options.fail?.()) throw new TypeError('fetch failed');
        return new Response(JSON.stringify(jwks()), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      }) as typeof fetch,
    });
    return { set, calls, errors, advance: (ms: number) => (now += ms) };
  }

  it('never follows redirects and always sets a timeout', async () => {
    const { set, calls } = setup(() => ({ keys: [es256] }));
    await set.get('k1');
    expect(calls[0]).toMatchObject({ method: 'GET', redirect: 'error' });
    expect(calls[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it('shares one fetch between concurrent requests for unknown kids', async () => {
    const { set, calls, advance } = setup(() => ({ keys: [es256] }));
    await set.get('k1');
    advance(10_000);
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => set.get(`unknown-${i}`)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('never fetches for a kid that cannot be one (paths, quotes, spaces, URLs)', async () => {
    const { set, calls, advance } = setup(() => ({ keys: [es256] }));
    await set.get('k1');
    advance(30_000); // past the cooldown, within maxAge
    for (const kid of ['../x', "a'b", 'a b', 'https://evil.example/jwks.json']) {
      await expect(set.get(kid)).rejects.toMatchObject({ code: 'unknown_key' });
    }
    expect(calls).toHaveLength(1);
  });

  it('serves stale keys while fetching fails, for maxAge + maxStale, then keys_unavailable', async () => {
    let down = false;
    const { set, errors, advance } = setup(() => ({ keys: [es256] }), { fail: () => down });
    await set.get('k1');
    down = true;
    advance(60_000);
    await expect(set.get('k1')).resolves.toMatchObject({ kid: 'k1' }); // stale: refreshes in the background
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors.length).toBe(1);
    advance(120_000);
    await expect(set.get('k1')).resolves.toMatchObject({ kid: 'k1' });
    advance(1);
    await expect(set.get('k1')).rejects.toMatchObject({ code: 'keys_unavailable' });
    expect(() => set.assertUsable()).toThrow(expect.objectContaining({ code: 'keys_unavailable' }));
  });

  it('reports a JWKS without usable keys and keeps the previous keys', async () => {
    let jwks: unknown = { keys: [es256] };
    const { set, errors, advance } = setup(() => jwks);
    await set.get('k1');
    jwks = { keys: [privateEs256] };
    advance(60_000);
    await set.refresh();
    expect(errors[0]?.message).toMatch(/no usable key/);
    await expect(set.get('k1')).resolves.toBeDefined();
  });
});
