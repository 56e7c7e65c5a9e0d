import {
  type Clock,
  emailOtpSignIn,
  googleSignIn,
  type IdentityHandlerDeps,
  magicLinkSignIn,
  type OtpService,
  oauthSignIn,
  type PasswordHasher,
  passwordSignIn,
  phoneOtpSignIn,
  privySignIn,
  type RegistrationMethods,
  type SignInMethod,
  type SignInMethods,
  siweSignIn,
  webCryptoHashing,
} from '@enforcer/core';
import { argon2Hasher } from './password/hashing.js';

/** What the server's sign-in methods are built with: its clock, code service, verifiers and keys. */
export interface ServerMethodDeps {
  clock: Clock;
  otpService: OtpService;
  /** The Google and Privy verifiers, the SIWE tolerance and the nonce store (shared with linking). */
  identityDeps: IdentityHandlerDeps;
  passkeySignIn: SignInMethod<'passkey'>;
  /** Passwords' hasher; default: argon2id at the server's parameters. */
  hasher?: PasswordHasher;
}

/**
 * Every sign-in method the server runs (`POST /auth/login`, the core's login flow): the core's methods,
 * the mock's too, with the server's argon2id hasher, Google keys, Privy app keys and master-key material.
 * What a tenant accepts filters them (`tenant.authProviders`).
 */
export function serverSignInMethods(deps: ServerMethodDeps): SignInMethods {
  const codes = { otp: deps.otpService };
  return {
    email_otp: emailOtpSignIn(codes),
    phone_otp: phoneOtpSignIn(codes),
    password: passwordSignIn({ hasher: deps.hasher ?? argon2Hasher }),
    magic_link: magicLinkSignIn({ clock: deps.clock, hashing: webCryptoHashing }),
    google: googleSignIn(deps.identityDeps),
    siwe: siweSignIn(deps.identityDeps),
    privy: privySignIn(deps.identityDeps),
    passkey: deps.passkeySignIn,
    oauth: oauthSignIn({ clock: deps.clock, hashing: webCryptoHashing }),
  };
}

/** The registrations of `POST /auth/register` (the core's): an email code or a password. */
export function serverRegistrationMethods(
  deps: Pick<ServerMethodDeps, 'otpService' | 'hasher'>,
): RegistrationMethods {
  return {
    email_otp: emailOtpSignIn({ otp: deps.otpService }),
    password: passwordSignIn({ hasher: deps.hasher ?? argon2Hasher }),
  };
}
