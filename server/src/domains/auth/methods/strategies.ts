import { googleStrategy } from '../strategies/google/index.js';
import { passkeyStrategy } from '../strategies/passkey/login.js';
import { phoneOtpStrategy } from '../strategies/phone-otp/index.js';
import { privyStrategy } from '../strategies/privy/index.js';
import { siweStrategy } from '../strategies/siwe/index.js';

/** The login strategies of the methods beyond email codes, listed once in the registry. */
export const methodStrategies = [
  phoneOtpStrategy,
  googleStrategy,
  siweStrategy,
  privyStrategy,
  passkeyStrategy,
];
