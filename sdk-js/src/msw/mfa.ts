import { type MfaHandlerDeps, webCryptoRandom, webCryptoSealer } from '@enforcer/core';
import { passwordHasher } from './methods/sign-in';
import { MockError } from './problem';
import type { MockStore } from './store';
import type { MockTokens } from './tokens';

/** The mock draws no QR code (that needs a PNG encoder): a 1×1 PNG stands in for it. */
const PLACEHOLDER_QR =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/**
 * The mock's part of the core's MFA rules: keys of its own (a sealing key and a recovery-code MAC key per
 * mock), its password hasher and sessions; stepping a session up is still the mock's own code.
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
    stepUpSession: async (_repos, input) => {
      const account = store.accounts.get(input.accountId)!;
      if (!account.active) throw new MockError('account_inactive', 'This account has been deactivated');
      const session = store.sessions.get(input.sessionId)!;
      session.amr = [...new Set([...session.amr, ...input.amr])];
      session.mfaAt = input.mfaAt;
      const access = await tokens.issueAccessToken(account, session);
      return { ...access, amr: [...session.amr] };
    },
  };
}
