import type { FlowContext } from '../create-enforcer';
import { EnforcerError } from '../errors';

/**
 * Passkey sign-in (WebAuthn). Loaded on first use (`await enforcer.passkeys()`), in its own
 * chunk, so apps that never use passkeys never download it. The contract has no passkey
 * routes yet (step 6); until then `isSupported()` tells whether the browser could, and the
 * ceremonies refuse with `not_supported`. They will call `ctx.publicApi.auth.passkey*` and
 * finish with `ctx.signIn(tokens)`, like every other flow.
 */
export interface PasskeyFlows {
  /** Whether this browser has WebAuthn. */
  isSupported(): boolean;
  register(): Promise<void>;
  signIn(input?: { email?: string }): Promise<void>;
}

export function createPasskeyFlows(_ctx: FlowContext): PasskeyFlows {
  const unavailable = async (): Promise<never> => {
    throw new EnforcerError('not_supported', 'Passkeys are not available on this Enforcer version yet');
  };
  return {
    isSupported: () =>
      typeof (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential === 'function',
    register: unavailable,
    signIn: unavailable,
  };
}
