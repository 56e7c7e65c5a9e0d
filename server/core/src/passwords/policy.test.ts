import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { assertStrongPassword } from './policy.js';

const refusal = (password: string) => {
  try {
    assertStrongPassword(password, 'body.password', { email: 'alice@example.com', tenantName: 'Acme Pay' });
    return undefined;
  } catch (error) {
    return error as AppError;
  }
};

describe('assertStrongPassword (the one password policy of the server and the mock)', () => {
  it('refuses common, short and expected passwords as 400 weak_password naming the field', () => {
    for (const password of ['P@ssw0rd1', 'password123', 'alice@example.com!', 'Acme Pay 2024']) {
      const error = refusal(password);
      expect(error, password).toBeInstanceOf(AppError);
      expect(error?.code).toBe('weak_password');
      expect(error?.errors?.[0]).toMatchObject({ path: 'body.password' });
    }
  });

  it('accepts a few unrelated words', () => {
    expect(refusal('correct horse battery staple')).toBeUndefined();
  });
});
