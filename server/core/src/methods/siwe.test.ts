import type { SiweSettings } from '@enforcer/contract';
import { privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { describe, expect, it } from 'vitest';
import { verifySiweMessage } from './siwe.js';

const account = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const now = new Date(Date.UTC(2030, 0, 1));
const clock = { now: () => now };
const settings = {
  domain: 'app.example.com',
  uri: 'https://app.example.com',
  chain_ids: [1],
} as SiweSettings;

const message = (overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {}) =>
  createSiweMessage({
    address: account.address,
    domain: 'app.example.com',
    uri: 'https://app.example.com/login',
    version: '1',
    chainId: 1,
    nonce: 'abcdef0123456789',
    issuedAt: now,
    ...overrides,
  });

const check = async (text: string, nonces = new Set(['abcdef0123456789'])) => {
  const consumed: string[] = [];
  const result = await verifySiweMessage({
    message: text,
    signature: await account.signMessage({ message: text }),
    settings,
    consumeNonce: (nonce) => {
      consumed.push(nonce);
      return nonces.delete(nonce);
    },
    clock,
    toleranceSeconds: 60,
  });
  return { result, consumed };
};

describe('verifySiweMessage', () => {
  it('proves the checksummed address, spending the nonce', async () => {
    const { result, consumed } = await check(message());
    expect(result).toEqual({ ok: true, value: { provider: 'siwe', subject: account.address } });
    expect(consumed).toEqual(['abcdef0123456789']);
  });

  it('refuses a message that does not parse without touching a nonce', async () => {
    const { result, consumed } = await check('hello');
    expect(result).toMatchObject({ ok: false, code: 'invalid_credentials', reason: 'malformed_message' });
    expect(consumed).toEqual([]);
  });

  it('refuses an unknown nonce as challenge_invalid', async () => {
    const { result } = await check(message(), new Set());
    expect(result).toMatchObject({ ok: false, code: 'challenge_invalid', reason: 'nonce_invalid' });
  });

  it('spends the nonce even when another check fails', async () => {
    const { result, consumed } = await check(message({ domain: 'evil.example.com' }));
    expect(result).toMatchObject({ ok: false, code: 'invalid_credentials', reason: 'domain_mismatch' });
    expect(consumed).toEqual(['abcdef0123456789']);
  });

  it.each([
    [{ uri: 'https://evil.example.com/' }, 'uri_mismatch'],
    [{ chainId: 5 }, 'chain_mismatch'],
    [{ expirationTime: new Date(now.getTime() - 61_000) }, 'expired'],
    [{ notBefore: new Date(now.getTime() + 61_000) }, 'not_yet_valid'],
    [{ issuedAt: new Date(now.getTime() + 61_000) }, 'issued_in_future'],
  ] as const)('refuses %o as %s', async (overrides, reason) => {
    const { result } = await check(message(overrides));
    expect(result).toMatchObject({ ok: false, code: 'invalid_credentials', reason });
  });

  it('accepts times within the clock tolerance', async () => {
    const { result } = await check(message({ expirationTime: new Date(now.getTime() - 59_000) }));
    expect(result.ok).toBe(true);
  });

  it("refuses a signature that is not the message's address's", async () => {
    const other = privateKeyToAccount(`0x${'22'.repeat(32)}`);
    const text = message();
    const result = await verifySiweMessage({
      message: text,
      signature: await other.signMessage({ message: text }),
      settings,
      consumeNonce: () => true,
      clock,
      toleranceSeconds: 60,
    });
    expect(result).toMatchObject({ ok: false, code: 'invalid_credentials', reason: 'bad_signature' });
    const garbage = await verifySiweMessage({
      message: text,
      signature: '0x1234',
      settings,
      consumeNonce: () => true,
      clock,
      toleranceSeconds: 60,
    });
    expect(garbage).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});
