import type { LinkedProvider, LoginBody, RegisterBody } from '@enforcer/contract';
import type { ClientInfo } from '../caller.js';
import type { Repositories } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import type { ProofRefusal } from './result.js';

/** The providers `POST /auth/login` accepts: the `provider` values of the contract's login union. */
export type LoginProvider = LoginBody['provider'];
export type LoginBodyOf<P extends LoginProvider> = Extract<LoginBody, { provider: P }>;
export type RegisterProvider = RegisterBody['provider'];
export type RegisterBodyOf<P extends RegisterProvider> = Extract<RegisterBody, { provider: P }>;

/**
 * Who a sign-in method proved the caller to be. The login flow turns it into a person and an account: an
 * email (found or created by email), an external identity (found by provider + subject, never by email
 * alone) or a person the method found itself (a passkey's owner).
 */
export type ProvenIdentity = EmailIdentity | LinkedIdentity | KnownPerson;

/** Control of an email. */
export interface EmailIdentity {
  email: string;
  /** True when the method proved control of the email (a code sent to it, a provider that verified it). */
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
  /** A name the provider gave (Apple, first sign-in only): the display name of a person created here. */
  displayName?: string;
}

/** The method found the person itself (a passkey credential belongs to exactly one person). */
export interface KnownPerson {
  personId: string;
}

/**
 * A method's answer. A refusal is data (its `reason` goes to the audit log and the sign-in throttle,
 * `countsAsGuess`): the login flow commits what the method counted or spent (a wrong code's attempt, a
 * used nonce) with the failure, then answers with the refusal's code.
 */
export type Authentication = { ok: true; identity: ProvenIdentity } | ProofRefusal;

/** What a sign-in method works with: the login's unit of work, the tenant signed in to, the caller. */
export interface SignInContext {
  /** The login's repositories: everything a method reads or writes commits (or not) with the login. */
  repos: Repositories;
  tenant: TenantRecord;
  client: ClientInfo;
}

/**
 * A sign-in method (Kratos' `login.Strategy`): it proves who the caller is and nothing else. Checking that
 * the tenant accepts the method, finding or creating the person and the account (sign-up rules), the
 * throttle, the second factor, starting the session and auditing are the login flow's, the same for every
 * method. What a method needs besides storage (a verifier, the clock, the OTP service) it is built with.
 */
export interface SignInMethod<P extends LoginProvider = LoginProvider> {
  readonly id: P;
  /** RFC 8176 `amr` values a session started with this method carries (`otp`, `pwd`, `hwk`, ...). */
  readonly amr: readonly string[];
  authenticate(ctx: SignInContext, body: LoginBodyOf<P>): Promise<Authentication>;
}

/** A method with a `POST /auth/register` variant: it names who is registering (nothing is proven yet). */
export interface RegistrationMethod<P extends RegisterProvider = RegisterProvider> {
  readonly id: P;
  register(ctx: Omit<SignInContext, 'tenant'>, body: RegisterBodyOf<P>): Promise<EmailIdentity>;
}
