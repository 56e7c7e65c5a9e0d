import { type PasswordContext, weakPasswordReason } from '@enforcer/contract';
import { MockError } from '../problem';

/** Throws `400 weak_password` naming the field and the reason, with the server's rules (@enforcer/contract). */
export function assertStrongPassword(password: string, field: string, context: PasswordContext = {}): void {
  const reason = weakPasswordReason(password, context);
  if (reason) {
    const message = `This password ${reason}: choose another (a few unrelated words make a strong one)`;
    throw new MockError('weak_password', message, { errors: [{ path: field, message }] });
  }
}
