import { Challenges, type IdentityHandlerDeps, webCryptoRandom } from '@enforcer/core';
import type { MockStore } from '../store';
import type { MockTokens } from '../tokens';
import { type MockGoogle, mockGoogleVerifier } from './google';
import { mockPrivyVerifier } from './privy';

/**
 * What the core's identity handlers and the `google`, `siwe` and `privy` methods are built with in the
 * mock: the core's rules and nonces (`store.db`'s challenges table), the mock's Google keys and clock.
 */
export function identityDeps(store: MockStore, tokens: MockTokens, google: MockGoogle): IdentityHandlerDeps {
  const clock = { now: () => new Date(store.now()) };
  const tolerance = tokens.settings.clockTolerance;
  return {
    clock,
    challenges: new Challenges({ clock, random: webCryptoRandom }),
    google: mockGoogleVerifier(google, store, tolerance),
    privy: mockPrivyVerifier(store, tolerance),
    toleranceSeconds: tolerance,
    otp: store.otp,
  };
}
