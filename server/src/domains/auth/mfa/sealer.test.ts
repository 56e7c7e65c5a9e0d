import { webCryptoSealer } from '@enforcer/core';
import { describe, expect, it } from 'vitest';
import { deriveKey, open, seal } from '../../../lib/crypto.js';
import { cryptoRandom } from '../../../lib/random.js';

// TOTP secrets sealed before the rules moved to the core (node:crypto) must still open, and the other way.
describe('webCryptoSealer under the server key', () => {
  const key = deriveKey(Buffer.alloc(32, 7), 'secret-encryption');
  const sealer = webCryptoSealer(key, cryptoRandom);
  const aad = 'totp/v1:0b9f3c1e-0000-4000-8000-000000000001';

  it("opens what node:crypto sealed in the server's iv|tag|ciphertext layout, and node opens its values", async () => {
    const old = seal(key, Buffer.from('JBSWY3DPEHPK3PXP', 'utf8'), aad, cryptoRandom);
    const stored = Buffer.concat([old.iv, old.tag, old.ciphertext]).toString('base64url');
    expect(await sealer.open(stored, aad)).toBe('JBSWY3DPEHPK3PXP');

    const raw = Buffer.from(await sealer.seal('GEZDGNBVGY3TQOJQ', aad), 'base64url');
    const sealed = { iv: raw.subarray(0, 12), tag: raw.subarray(12, 28), ciphertext: raw.subarray(28) };
    expect(open(key, sealed, aad).toString('utf8')).toBe('GEZDGNBVGY3TQOJQ');
  });

  it('refuses a value bound to another person or sealed under another key', async () => {
    const stored = await sealer.seal('JBSWY3DPEHPK3PXP', aad);
    await expect(sealer.open(stored, 'totp/v1:someone-else')).rejects.toThrow();
    await expect(webCryptoSealer().open(stored, aad)).rejects.toThrow();
  });
});
