import { describe, expect, it } from 'vitest';
import { MOCK_PBKDF2_ITERATIONS, pbkdf2PasswordHasher, verifyAgainstDummy } from './hashing.js';

describe('pbkdf2PasswordHasher (WebCrypto: the mock and browsers)', () => {
  const hasher = pbkdf2PasswordHasher({ iterations: MOCK_PBKDF2_ITERATIONS });

  it('salts every hash and names its parameters', async () => {
    const [a, b] = [await hasher.hash('five unrelated words'), await hasher.hash('five unrelated words')];
    expect(a).toMatch(/^\$pbkdf2-sha256\$i=1000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify(b, 'five unrelated words')).toBe(true);
  });

  it('answers false, never throws, for a malformed or foreign hash, and wants those rehashed', async () => {
    for (const hash of [
      '',
      'salt$digest',
      '$pbkdf2-sha256$i=x$a$b',
      '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    ]) {
      expect(await hasher.verify(hash, 'anything'), hash).toBe(false);
      expect(hasher.needsRehash(hash), hash).toBe(true);
    }
  });

  it('verifies against a dummy hash when there is nothing to verify (same work, always false)', async () => {
    expect(await verifyAgainstDummy(hasher, 'five unrelated words')).toBe(false);
  });
});
