import { authProviderIds } from '@enforcer/contract';
import { randomDigits } from '@enforcer/core';
import { describe, expect, it } from 'vitest';
import type { ITenant } from '../../entities/tenants.js';
import { AppError } from '../../lib/errors.js';
import type { RandomSource } from '../../lib/random.js';
import { headerSafe } from './mail/mail-delivery.js';
import { otpMessage } from './mail/messages.js';
import { defaultMethods } from './methods/registry.js';

const tenant = (authProviders: string[]) => ({ authProviders }) as ITenant;

describe('MethodRegistry', () => {
  const registry = defaultMethods();

  it('lists the implemented providers and their amr', () => {
    expect(registry.providers).toEqual([...authProviderIds]);
    expect(registry.amrOf('email_otp')).toEqual(['otp']);
    expect(registry.amrOf('password')).toEqual(['pwd']);
    expect(registry.amrOf('magic_link')).toEqual(['otp']);
  });

  it('accepts a provider only when the tenant does and a method exists', () => {
    expect(() => registry.assertAccepted(tenant(['email_otp']), 'email_otp')).not.toThrow();
    for (const [providers, provider] of [
      [['passkey'], 'email_otp'],
      [['email_otp'], 'password'],
    ] as const) {
      try {
        registry.assertAccepted(tenant([...providers]), provider);
        expect.unreachable();
      } catch (error) {
        expect((error as AppError).code).toBe('provider_not_allowed');
      }
    }
  });

  it('carries a session into a tenant only if the tenant accepts a method producing its amr', () => {
    expect(registry.acceptsSession(tenant(['email_otp', 'passkey']), ['otp'])).toBe(true);
    expect(registry.acceptsSession(tenant(['passkey']), ['otp'])).toBe(false);
    expect(registry.acceptsSession(tenant(['email_otp']), ['hwk'])).toBe(false);
    expect(() => registry.assertAcceptsSession(tenant([]), ['otp'])).toThrow(AppError);
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
  it('keeps the code out of the subject and control characters out of headers', () => {
    const message = otpMessage({
      to: 'a@example.com',
      code: '123456',
      tenant: { name: 'Acme' },
      ttlSeconds: 600,
    });
    expect(message.subject).toBe('Your sign-in code for Acme');
    expect(message.text).toContain('123456');
    expect(message.text).toContain('10 minutes');
    expect(headerSafe('Acme\r\nBcc: evil@example.com')).toBe('Acme Bcc: evil@example.com');
  });
});
