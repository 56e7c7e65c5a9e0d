import type { PasskeyCredential } from '@enforcer/contract';
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type { SignedInSnapshot } from '../session/snapshot';
import { EnforcerError, unwrap } from '../shared/errors';
import type { FlowContext } from './context';

/**
 * Passkey sign-in (WebAuthn). Loaded on first use (`await enforcer.passkeys()`), in its own chunk
 * together with `@simplewebauthn/browser`, so apps that never use passkeys never download either.
 * The ceremonies call `/auth/passkey/*` and finish with `ctx.signIn(tokens)`, like every other flow.
 * Errors of the browser ceremony itself (the person cancelled, no authenticator) are
 * `@simplewebauthn/browser`'s `WebAuthnError`; the server's refusals are `EnforcerError`s.
 */
export interface PasskeyFlows {
  /** Whether this browser has WebAuthn. */
  isSupported(): boolean;
  /** Creates a passkey for the signed-in person on this device (its authenticator asks them). */
  register(input?: { name?: string }): Promise<PasskeyCredential>;
  /**
   * Signs in with a passkey. Without `email` the authenticator offers the passkeys it holds for the
   * site (discoverable credentials); with it, that person's passkeys.
   */
  signIn(input?: { email?: string; tenantCode?: string }): Promise<SignedInSnapshot>;
  /** The signed-in person's passkeys. */
  list(): Promise<PasskeyCredential[]>;
  /** Deletes one of them (never the person's last way to sign in: `last_identity`). */
  remove(id: string): Promise<void>;
}

export function createPasskeyFlows(ctx: FlowContext): PasskeyFlows {
  const assertSupported = () => {
    if (!browserSupportsWebAuthn()) {
      throw new EnforcerError('not_supported', 'This browser does not support passkeys (WebAuthn)');
    }
  };
  return {
    isSupported: () => browserSupportsWebAuthn(),

    async register(input = {}) {
      assertSupported();
      const begun = await unwrap(
        ctx.api.auth.passkeyRegisterBegin({ body: input.name ? { name: input.name } : {} }),
      );
      const credential = await startRegistration({ optionsJSON: begun.options as never });
      return unwrap(
        ctx.api.auth.passkeyRegisterFinish({
          body: {
            challenge_id: begun.challenge_id,
            credential: credential as never,
            ...(input.name ? { name: input.name } : {}),
          },
        }),
      );
    },

    async signIn(input = {}) {
      assertSupported();
      const tenant_code = input.tenantCode ?? ctx.tenantCode;
      if (!tenant_code) throw new EnforcerError('bad_request', 'A tenant code is needed to sign in');
      const begun = await unwrap(
        ctx.publicApi.auth.passkeyLoginBegin({
          body: { tenant_code, ...(input.email ? { email: input.email } : {}) },
        }),
      );
      const credential = await startAuthentication({ optionsJSON: begun.options as never });
      const tokens = await unwrap(
        ctx.publicApi.auth.passkeyLoginFinish({
          body: { tenant_code, challenge_id: begun.challenge_id, credential: credential as never },
        }),
      );
      return ctx.signIn(tokens);
    },

    async list() {
      return (await unwrap(ctx.api.auth.passkeyCredentials())).data;
    },

    async remove(id) {
      await unwrap(ctx.api.auth.deletePasskey({ params: { id } }));
    },
  };
}
