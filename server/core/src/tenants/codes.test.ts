import { describe, expect, it } from 'vitest';
import { type RandomSource, webCryptoRandom } from '../platform.js';
import {
  generateInviteCode,
  generateTenantCode,
  hashInviteCode,
  INVITE_CODE_PREFIX,
  normaliseTenantCode,
} from './codes.js';

const fixed = (byte: number): RandomSource => ({
  bytes: (length) => new Uint8Array(length).fill(byte),
  uuid: () => '00000000-0000-4000-8000-000000000000',
});

describe('tenant codes', () => {
  it('are three groups of four Crockford base32 characters (no I, L, O, U)', () => {
    expect(generateTenantCode(fixed(0))).toBe('0000-0000-0000');
    expect(generateTenantCode(fixed(31))).toBe('ZZZZ-ZZZZ-ZZZZ');
    expect(generateTenantCode(fixed(18))).toBe('JJJJ-JJJJ-JJJJ');
    for (let i = 0; i < 50; i++) {
      expect(generateTenantCode(webCryptoRandom)).toMatch(
        /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}$/,
      );
    }
  });

  it('normalise what people type, and refuse other shapes', () => {
    expect(normaliseTenantCode(' 2opx-byie-gduh ')).toBe('2OPX-BYIE-GDUH');
    expect(normaliseTenantCode('2OPXBYIEGDUH')).toBeUndefined();
    expect(normaliseTenantCode('2OPX-BYIE-GDU')).toBeUndefined();
  });
});

describe('invite codes', () => {
  it('are inv_ and 256 random bits in base64url', () => {
    expect(generateInviteCode(fixed(255))).toBe(`${INVITE_CODE_PREFIX}${'_'.repeat(42)}8`);
    expect(generateInviteCode(webCryptoRandom)).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
  });

  it('are stored as base64url SHA-256 of the trimmed code (the hash existing invite rows hold)', async () => {
    expect(await hashInviteCode('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(await hashInviteCode('  abc\n')).toBe(await hashInviteCode('abc'));
  });
});
