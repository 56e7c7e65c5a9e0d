import { authProviderIds } from '@enforcer/contract';
import { acceptsSession, passkeySignIn, randomDigits } from '@enforcer/core';
import { describe, expect, it } from 'vitest';
import type { RandomSource } from '../../lib/random.js';
import { headerSafe } from './mail/mail-delivery.js';
import { serverSignInMethods } from './methods/registry.js';

// The methods as the server builds them; their dependencies are not called by these checks.
const methods = serverSignInMethods({
  clock: { now: () => new Date() },
  otpService: {} as never,
  identityDeps: {} as never,
  passkeySignIn: passkeySignIn({} as never),
});

describe("the server's sign-in methods", () => {
  it('implements every provider of the contract, each with the amr of its tokens', () => {
    expect(Object.keys(methods).sort()).toEqual([...authProviderIds].sort());
    const amr = Object.fromEntries(Object.values(methods).map((m) => [m!.id, m!.amr]));
    expect(amr).toEqual({
      email_otp: ['otp'],
      password: ['pwd'],
      magic_link: ['otp'],
      oauth: ['oauth'],
      phone_otp: ['sms'],
      google: ['google'],
      siwe: ['swk'],
      privy: ['privy'],
      passkey: ['hwk'],
    });
  });

  it('carries a session into a tenant only if the tenant accepts a method producing its amr', () => {
    expect(acceptsSession(methods, ['email_otp', 'passkey'], ['otp'])).toBe(true);
    expect(acceptsSession(methods, ['magic_link'], ['otp'])).toBe(true);
    expect(acceptsSession(methods, ['passkey'], ['otp'])).toBe(false);
    expect(acceptsSession(methods, ['email_otp'], ['hwk'])).toBe(false);
    expect(acceptsSession(methods, [], ['otp'])).toBe(false);
  });
});

describe('randomDigits', () => {
  it('rejects the biased tail instead of reducing it modulo 10^6', () => {
    // 4294967295 is above the largest multiple of 10^6 below 2^32: it must be drawn again.
    const draws = [Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from([0, 0, 0, 42])];
    const random: RandomSource = { bytes: () => draws.shift()!, uuid: () => '' };
    expect(randomDigits(random)).toBe('000042');
  });
});

describe('mail', () => {
  it('keeps control characters out of headers', () => {
    expect(headerSafe('Acme\r\nBcc: evil@example.com')).toBe('Acme Bcc: evil@example.com');
  });
});
