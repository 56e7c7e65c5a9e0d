import type { LoginBody } from '@enforcer/contract';
import {
  Challenges,
  googleSignIn,
  type IdentityHandlerDeps,
  type PersonPasskeys,
  privySignIn,
  proofRefusalError,
  siweSignIn,
  webCryptoRandom,
} from '@enforcer/core';
import type { MockStore, TenantRow } from '../store';
import type { MockTokens } from '../tokens';
import { mockGoogleVerifier } from './google';
import { otpServiceOf } from './otp';
import { passkeysOf } from './passkey';
import { mockPrivyVerifier } from './privy';
import type { Authentication } from './sign-in';

/** The person's passkeys over the mock's rows (they have no port yet). */
const passkeys = (store: MockStore): PersonPasskeys => ({
  ofPerson: async (_repos, personId) =>
    passkeysOf(store, personId).map((row) => ({
      id: row.id,
      credentialId: row.credentialId,
      createdAt: new Date(row.createdAt),
      lastUsedAt: row.lastUsedAt === null ? null : new Date(row.lastUsedAt),
    })),
  delete: async (_repos, id) => {
    store.passkeys.delete(id);
  },
});

/**
 * What the core's identity handlers and the `google`, `siwe` and `privy` methods are built with in the
 * mock: the core's rules and nonces (`store.db`'s challenges table), the mock's Google keys and clock.
 */
export function identityDeps(store: MockStore, tokens: MockTokens): IdentityHandlerDeps {
  const clock = { now: () => new Date(store.now()) };
  const tolerance = tokens.settings.clockTolerance;
  return {
    clock,
    challenges: new Challenges({ clock, random: webCryptoRandom }),
    google: mockGoogleVerifier(store, tolerance),
    privy: mockPrivyVerifier(store, tolerance),
    toleranceSeconds: tolerance,
    otp: otpServiceOf(store),
    codesIn: () => store.otpChallenges,
    passkeys: passkeys(store),
  };
}

const methodsOf = new WeakMap<MockStore, ReturnType<typeof coreMethods>>();
const coreMethods = (deps: IdentityHandlerDeps) => ({
  google: googleSignIn(deps),
  siwe: siweSignIn(deps),
  privy: privySignIn(deps),
});

/**
 * Transitional (until the login flow is the core's): the core's `google`, `siwe` or `privy` method for the
 * mock's login, in a unit of work of its own (what it spent, a nonce, commits with it); a refusal becomes
 * the mock's failure.
 */
export async function authenticateWithCore(
  store: MockStore,
  tokens: MockTokens,
  tenant: TenantRow,
  body: Extract<LoginBody, { provider: 'google' | 'siwe' | 'privy' }>,
): Promise<Authentication> {
  let methods = methodsOf.get(store);
  if (!methods) {
    methods = coreMethods(identityDeps(store, tokens));
    methodsOf.set(store, methods);
  }
  const method = methods[body.provider];
  const result = await store.db.transaction(async (repos) => {
    const record = await repos.tenants.find(tenant.id);
    if (!record) throw new Error(`tenant ${tenant.id} is not in the memory database`);
    return method.authenticate(
      { repos, tenant: record, client: { ip: null, userAgent: null } },
      body as never,
    );
  });
  return result.ok ? result : { ok: false, reason: result.reason, error: proofRefusalError(result) };
}
