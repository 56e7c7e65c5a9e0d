import type { AuthProvider, LinkedProvider, LoginBody, RegisterBody } from '@enforcer/contract';
import type { GoogleIdTokenVerifier, PrivyTokenVerifier, RandomSource, Repositories } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ITenant } from '../../../entities/tenants.js';
import type { Clock } from '../../../lib/clock.js';
import type { AppError } from '../../../lib/errors.js';
import type { ClientInfo } from '../../tokens/session-tokens.js';
import type { ChallengeStore } from '../challenges/challenge-store.js';
import type { OtpCodes } from '../otp.js';
import type { MagicLinkService } from './magic-link/magic-links.js';

/** The providers `POST /auth/login` accepts today: the `provider` values of the contract's login union. */
export type LoginProvider = LoginBody['provider'];
export type LoginBodyOf<P extends LoginProvider> = Extract<LoginBody, { provider: P }>;
export type RegisterProvider = RegisterBody['provider'];
export type RegisterBodyOf<P extends RegisterProvider> = Extract<RegisterBody, { provider: P }>;

/** What the sign-in methods use of the app's services. */
export interface MethodServices {
  clock: Clock;
  otp: OtpCodes;
  challenges: ChallengeStore;
  google: GoogleIdTokenVerifier;
  privy: PrivyTokenVerifier;
  /** Clock skew tolerated on outside tokens and messages. */
  toleranceSeconds: number;
  magicLinks: MagicLinkService;
  random: RandomSource;
  /** The core's repositories inside the login's transaction (for the methods that are the core's). */
  uow: { within(em: EntityManager): Repositories };
}

/** What a sign-in method may use. Everything runs in the caller's transaction (`em`). */
export interface MethodContext {
  em: EntityManager;
  /** The services the methods use (the app's `Services` has them). */
  services: MethodServices;
  client: ClientInfo;
}

/**
 * Who the method proved the caller to be. The login flow turns it into a person and an account
 * (`identities/resolve-person.ts`): an email (found or created by email), an external identity (found by
 * provider + subject, never by email alone) or a person the method found itself (a passkey's owner).
 */
export type ProvenIdentity = EmailIdentity | LinkedIdentity | KnownPerson;

/** Control of an email. */
export interface EmailIdentity {
  email: string;
  /** True when the method proved control of the email (an OTP sent to it, a provider that verified it). */
  emailVerified: boolean;
}

/** An identity at another provider: a phone number, a Google account, a wallet, a Privy user. */
export interface LinkedIdentity {
  provider: LinkedProvider;
  /** Unique at the provider: E.164 phone, Google issuer|sub, EIP-55 address, Privy DID. */
  subject: string;
  /** An email the provider vouches for, if any (Google). */
  email?: string;
  /** True only when the provider verified `email`. */
  emailVerified?: boolean;
}

/** The method found the person itself (a passkey credential belongs to exactly one person). */
export interface KnownPerson {
  personId: string;
}

export type Authentication =
  | { ok: true; identity: ProvenIdentity }
  /** Refused. `reason` goes to the audit log; the failure is committed (counted attempts), then thrown. */
  | { ok: false; error: AppError; reason: string; email?: string };

/**
 * A sign-in method (Kratos' `login.Strategy`): it proves who the caller is and nothing else. Resolving the
 * tenant, checking that the tenant accepts the method, finding or creating the person and the account
 * (sign-up rules), starting the session and auditing are the login flow's, the same for every method.
 *
 * A method is a folder under `methods/<id>/` exporting one object that `satisfies SignInMethod<id>`,
 * listed in `registry.ts`. Optional abilities are separate interfaces (`RegistrationMethod`).
 */
export interface SignInMethod<P extends LoginProvider = LoginProvider> {
  readonly id: P;
  /** RFC 8176 `amr` values a session started with this method carries (`otp`, `pwd`, `hwk`, ...). */
  readonly amr: readonly string[];
  authenticate(ctx: MethodContext & { tenant: ITenant }, body: LoginBodyOf<P>): Promise<Authentication>;
}

/** A method with a `POST /auth/register` variant: it names who is registering (nothing is proven yet). */
export interface RegistrationMethod<P extends RegisterProvider = RegisterProvider> {
  readonly id: P;
  register(ctx: MethodContext, body: RegisterBodyOf<P>): Promise<EmailIdentity>;
}

export type { AuthProvider };
