import { PrivyTokenVerifier } from '@enforcer/core';
import type { MockStore } from '../store';

export { PRIVY_ISSUER, type PrivyClaims } from '@enforcer/core';

/** The core's `PrivyTokenVerifier` on the mock's clock (sign-in, linking and the Privy bearer use it). */
export const mockPrivyVerifier = (store: MockStore, clockToleranceSeconds: number): PrivyTokenVerifier =>
  new PrivyTokenVerifier({ clock: { now: () => new Date(store.now()) }, clockToleranceSeconds });
