import { type PasswordContext, weakPasswordReason } from '@enforcer/contract';
import { AppError } from '../../../../lib/errors.js';

export type { PasswordContext };

/**
 * Throws `400 weak_password` naming the field and the reason. The rules themselves (NIST SP
 * 800-63B: length, no composition rules, a blocklist of common and expected values) live in
 * @enforcer/contract, shared with the MSW mock.
 */
export function assertStrongPassword(password: string, field: string, context: PasswordContext = {}): void {
  const reason = weakPasswordReason(password, context);
  if (reason) {
    const message = `This password ${reason}: choose another (a few unrelated words make a strong one)`;
    throw new AppError('weak_password', message, { errors: [{ path: field, message }] });
  }
}
