import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from './verified-tokens';

const entry = (kid: string) => ({ exp: 0, kid });

describe('VerifiedTokenCache', () => {
  it('is bounded: past maxEntries the oldest goes', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('a', entry('k1'));
    cache.set('b', entry('k1'));
    cache.set('c', entry('k2'));
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('keeps nothing with maxEntries 0', () => {
    const cache = new VerifiedTokenCache(0);
    cache.set('a', entry('k1'));
    expect(cache.size).toBe(0);
  });

  it('forgets the tokens of keys that left the JWKS', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('a', entry('k1'));
    cache.set('b', entry('k2'));
    cache.forgetKeys(['k1']);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
  });
});
