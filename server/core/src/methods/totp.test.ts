import { generate, verify } from 'otplib';
import { describe, expect, it } from 'vitest';
import { base32, base32With, checkTotp, TOTP_PERIOD_SECONDS, totpCode } from './totp.js';

const secret = base32(new Uint8Array(20).map((_, i) => i * 7 + 3));
const at = new Date(Date.UTC(2030, 0, 1, 0, 0, 17));
const step = Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);

describe('TOTP (WebCrypto), against otplib', () => {
  it('writes base32 as RFC 4648 without padding', () => {
    expect(base32(new TextEncoder().encode('foobar'))).toBe('MZXW6YTBOI');
    expect(base32With('0123456789abcdefghjkmnpqrstvwxyz', new Uint8Array(10).fill(0xff))).toBe(
      'zzzzzzzzzzzzzzzz',
    );
  });

  it('gives the same codes as otplib', async () => {
    for (const offset of [-3, -1, 0, 1, 2, 1000]) {
      const epoch = (step + offset) * TOTP_PERIOD_SECONDS;
      expect(await totpCode(secret, step + offset)).toBe(await generate({ secret, epoch }));
    }
  });

  it('accepts one step either side, as otplib with 30 s of tolerance', async () => {
    for (const offset of [-2, -1, 0, 1, 2]) {
      const code = await totpCode(secret, step + offset);
      const ours = await checkTotp(secret, code, at, null);
      const theirs = await verify({
        secret,
        token: code,
        epoch: Math.floor(at.getTime() / 1000),
        period: TOTP_PERIOD_SECONDS,
        epochTolerance: TOTP_PERIOD_SECONDS,
      });
      expect(ours.ok).toBe(theirs.valid);
      if (ours.ok) expect(ours.step).toBe(step + offset);
    }
  });

  it('accepts a step only after the last used one; an older right code is a replay', async () => {
    const code = await totpCode(secret, step);
    expect(await checkTotp(secret, code, at, step - 1)).toEqual({ ok: true, step });
    expect(await checkTotp(secret, code, at, step)).toEqual({ ok: false, reason: 'replayed_code' });
    expect(await checkTotp(secret, '000000' === code ? '111111' : '000000', at, null)).toEqual({
      ok: false,
      reason: 'wrong_code',
    });
  });
});
