import {
  emailOtpSignIn,
  googleSignIn,
  type IdentityHandlerDeps,
  magicLinkSignIn,
  oauthSignIn,
  phoneOtpSignIn,
  privySignIn,
  type RegistrationMethods,
  type SignInMethods,
  siweSignIn,
  webCryptoHashing,
} from '@enforcer/core';
import type { MockStore } from '../store';
import { passwordMethod } from './sign-in';

/**
 * The sign-in methods of the mock's login flow (the core's `authHandlers`): every one is the core's
 * method, over the mock's memory database, clock and test keys (Google, Privy), as on the server.
 */
export function mockSignInMethods(store: MockStore, identities: IdentityHandlerDeps): SignInMethods {
  const codes = { otp: store.otp };
  return {
    email_otp: emailOtpSignIn(codes),
    phone_otp: phoneOtpSignIn(codes),
    password: passwordMethod,
    magic_link: magicLinkSignIn({ clock: store.db, hashing: webCryptoHashing }),
    google: googleSignIn(identities),
    siwe: siweSignIn(identities),
    privy: privySignIn(identities),
    passkey: store.passkeySignIn,
    oauth: oauthSignIn({ clock: store.db, hashing: webCryptoHashing }),
  };
}

/** The registrations of the mock's `POST /auth/register` (the core's): both methods are the core's. */
export function mockRegistrationMethods(store: MockStore): RegistrationMethods {
  return {
    email_otp: emailOtpSignIn({ otp: store.otp }),
    password: passwordMethod,
  };
}
