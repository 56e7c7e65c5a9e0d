import { type MfaHandlerDeps, webCryptoRandom, webCryptoSealer } from '@enforcer/core';
import { passwordHasher } from './methods/sign-in';
import type { MockStore } from './store';
import type { MockTokens } from './tokens';

/** The mock draws no QR code (that needs a PNG encoder): a 1×1 PNG stands in for it. */
const PLACEHOLDER_QR =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/**
 * The mock's part of the core's MFA rules: keys of its own (a sealing key and a recovery-code MAC key per
 * mock), its password hasher and its sessions (the core's `SessionTokens`).
 */
export function mockMfaDeps(store: MockStore, tokens: MockTokens): MfaHandlerDeps {
  return {
    uow: store.db,
    clock: store.db,
    random: webCryptoRandom,
    throttle: store.throttle,
    sealer: webCryptoSealer(),
    recoveryCodeKey: webCryptoRandom.bytes(32),
    qrCode: async () => PLACEHOLDER_QR,
    hasher: passwordHasher,
    sessions: tokens.sessions,
  };
}
