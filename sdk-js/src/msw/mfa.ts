import { type MfaHandlerDeps, webCryptoRandom, webCryptoSealer } from '@enforcer/core';
import { verifyPassword } from './methods/sign-in';
import { MockError } from './problem';
import type { MockStore } from './store';
import type { MockTokens } from './tokens';

/** The mock draws no QR code (that needs a PNG encoder): a 1×1 PNG stands in for it. */
const PLACEHOLDER_QR =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/**
 * The mock's part of the core's MFA rules: keys of its own (a sealing key and a recovery-code MAC key per
 * mock), and the password and session code not yet on ports, over the mock's rows.
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
    passwordCheck: async (_repos, personId) => {
      const hash = store.passwords.get(personId);
      return hash === undefined ? null : (password: string) => verifyPassword(hash, password);
    },
    openSession: async (_repos, input) => {
      const account = store.accounts.get(input.accountId)!;
      const response = await tokens.signIn(account, input.amr, input.mfaAt.getTime());
      const session = await tokens.sessionOf(response.refresh_token);
      return { sessionId: session!.id, response };
    },
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
