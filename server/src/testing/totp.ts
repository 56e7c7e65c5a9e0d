// TOTP codes for tests (an authenticator app's side), on the test's own clock.
import { generate } from 'otplib';

/** The RFC 6238 code of `secret` at `at` (SHA-1, 6 digits, 30 s). */
export const totpCode = (secret: string, at: Date): Promise<string> =>
  generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
