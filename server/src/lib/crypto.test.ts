import { randomBytes } from 'node:crypto';
import { webCryptoHashing } from '@enforcer/core';
import { describe, expect, it } from 'vitest';
import { deriveKey, nodeHashing, open, safeEqual, seal, sha256 } from './crypto.js';
import { cryptoRandom } from './random.js';

const master = Buffer.alloc(32, 1);

describe('crypto', () => {
  it('seals with AES-256-GCM under a random 12-byte IV and opens again', () => {
    const key = deriveKey(master, 'signing-key-encryption');
    const a = seal(key, Buffer.from('secret'), 'kid-1', cryptoRandom);
    const b = seal(key, Buffer.from('secret'), 'kid-1', cryptoRandom);
    expect(a.iv).toHaveLength(12);
    expect(a.tag).toHaveLength(16);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.toString()).not.toContain('secret');
    expect(open(key, a, 'kid-1').toString()).toBe('secret');
  });

  it('refuses a wrong key, a wrong context or a tampered ciphertext', () => {
    const key = deriveKey(master, 'signing-key-encryption');
    const sealed = seal(key, Buffer.from('secret'), 'kid-1', cryptoRandom);
    expect(() => open(deriveKey(Buffer.alloc(32, 2), 'signing-key-encryption'), sealed, 'kid-1')).toThrow();
    expect(() => open(key, sealed, 'kid-2')).toThrow();
    const tampered = { ...sealed, ciphertext: Buffer.from(sealed.ciphertext) };
    tampered.ciphertext[0]! ^= 1;
    expect(() => open(key, tampered, 'kid-1')).toThrow();
  });

  it('derives independent keys per purpose', () => {
    expect(
      deriveKey(master, 'signing-key-encryption').equals(deriveKey(master, 'refresh-token-successor')),
    ).toBe(false);
    expect(sha256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('nodeHashing', () => {
  it('gives the digests of the core WebCrypto default, so stores filled by either agree', async () => {
    const key = randomBytes(32);
    for (const value of ['', 'ert_abc', 'é ünïcode ☃', 'x'.repeat(1000)]) {
      expect(await nodeHashing.sha256(value)).toBe(await webCryptoHashing.sha256(value));
      expect(await nodeHashing.hmacSha256(key, value)).toBe(await webCryptoHashing.hmacSha256(key, value));
    }
  });
});
