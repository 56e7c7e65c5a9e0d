import { describe, expect, it } from 'vitest';
import { webCryptoHashing, webCryptoRandom } from '../platform.js';
import { hashPlatformKey, newPlatformKey, parsePlatformKeys, verifyPlatformKey } from './keys.js';

describe('platform keys', () => {
  it('mints enfp_ keys of 256 bits that verify by their hash only', async () => {
    const key = newPlatformKey(webCryptoRandom);
    expect(key).toMatch(/^enfp_[A-Za-z0-9_-]{43}$/);
    const hash = await hashPlatformKey(webCryptoHashing, key);
    const { keys, issues } = parsePlatformKeys(`ops ${hash} platform.tenants.read,platform.tenants.update`);
    expect(issues).toEqual([]);
    await expect(verifyPlatformKey(webCryptoHashing, keys, key)).resolves.toEqual({
      kind: 'platform',
      keyName: 'ops',
      scopes: ['platform.tenants.read', 'platform.tenants.update'],
    });
    // Another last character (a key ends in 'A' one time in 64).
    const altered = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    await expect(verifyPlatformKey(webCryptoHashing, keys, altered)).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    // The hash itself is not a key.
    await expect(verifyPlatformKey(webCryptoHashing, keys, hash)).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
  });

  it('reads several entries (lines or ";"), skips comments, and reports every problem', () => {
    const hash = 'a'.repeat(64);
    const ok = parsePlatformKeys(
      `# operators\nops ${hash} platform.tenants.read; billing ${'b'.repeat(64)} platform.tenants.read\n`,
    );
    expect(ok.issues).toEqual([]);
    expect(ok.keys.map((k) => k.name)).toEqual(['ops', 'billing']);
    const bad = parsePlatformKeys(
      `ops enfp_plaintext platform.tenants.read\nops ${hash} tenants.read\nlonely\n`,
    );
    expect(bad.issues).toEqual([
      expect.stringContaining('SHA-256'),
      expect.stringContaining('scopes must be among'),
      expect.stringContaining('used twice'),
      expect.stringContaining('expected'),
    ]);
  });
});
