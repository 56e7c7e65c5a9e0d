import { type PasswordContext, weakPasswordReason } from '@enforcer/contract';
import { AppError } from '../errors.js';

export type { PasswordContext };

/**
 * Throws `400 weak_password` naming the field and the reason. The rules themselves (NIST SP 800-63B:
 * length, no composition rules, a blocklist of common and expected values, the email and the tenant's
 * name) live in @enforcer/contract, so a browser can tell before it sends. Checked before anything is
 * counted: a weak choice costs no attempt.
 */
export function assertStrongPassword(password: string, field: string, context: PasswordContext = {}): void {
  const reason = weakPasswordReason(password, context);
  if (reason) {
    const message = `This password ${reason}: choose another (a few unrelated words make a strong one)`;
    throw new AppError('weak_password', message, { errors: [{ path: field, message }] });
  }
}
