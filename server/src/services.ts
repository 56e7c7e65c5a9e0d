import {
  AccessTokenService,
  AuthorizeCallCounter,
  Challenges,
  GoogleIdTokenVerifier,
  type IdentityHandlerDeps,
  type MessageOutboxDeps,
  OtpService,
  type PasskeyDeps,
  type PasswordHasher,
  type PrivyBearerDeps,
  PrivyTokenVerifier,
  passkeySignIn,
  RefreshTokenService,
  type RegistrationMethods,
  refreshSecondFactorGate,
  type SecretSealer,
  type SendLimits,
  SessionTokens,
  type SignInMethods,
  SignInThrottle,
  simpleWebAuthnVerifier,
  webCryptoSealer,
} from '@enforcer/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyBaseLogger } from 'fastify';
import { createRemoteJWKSet } from 'jose';
import { pino } from 'pino';
import type { Config } from './config.js';
import { createMailDelivery } from './domains/auth/mail/create-mail-delivery.js';
import type { MailDelivery } from './domains/auth/mail/mail-delivery.js';
import { argon2Hasher } from './domains/auth/methods/password/hashing.js';
import { serverRegistrationMethods, serverSignInMethods } from './domains/auth/methods/registry.js';
import { createSmsDelivery } from './domains/auth/sms/create-sms-delivery.js';
import type { SmsDelivery } from './domains/auth/sms/sms-delivery.js';
import { SigningKeyStore } from './domains/keys/signing-key-store.js';
import { TenantPolicyService } from './domains/policy/tenant-policy.js';
import { auditRefreshTokenReuse } from './domains/tokens/reuse-audit.js';
import { PrincipalCache } from './http/principal-cache.js';
import { type Clock, systemClock } from './lib/clock.js';
import { deriveKey, nodeHashing } from './lib/crypto.js';
import { cryptoRandom, type RandomSource } from './lib/random.js';
import { PostgresOtpChallengeStore } from './stores/postgres/codes.js';
import { PostgresSessionStore } from './stores/postgres/sessions.js';
import { PostgresUnitOfWork } from './stores/postgres/unit-of-work.js';

/** What the services share, injectable so tests control time and randomness. */
export interface ServiceDeps {
  clock?: Clock;
  random?: RandomSource;
  /** Where development mail and SMS are logged (codes included); default: nowhere. */
  logger?: FastifyBaseLogger;
  /**
   * Passwords' hasher; default: argon2id at the server's parameters (`argon2Hasher`). Test servers may
   * take a cheaper one (`startTestServer({ passwordHashing: 'fast' })`); `pnpm start` never does.
   */
  passwordHasher?: PasswordHasher;
}

/** The server's services, built once and shared by every route (`app.services`). */
export interface Services {
  config: Config;
  orm: MikroORM;
  /** The core's unit of work over PostgreSQL: every core service's stores, one transaction at a time. */
  uow: PostgresUnitOfWork;
  clock: Clock;
  random: RandomSource;
  keys: SigningKeyStore;
  accessTokens: AccessTokenService;
  refreshTokens: RefreshTokenService;
  /** The core's sessions as sign-in opens them (login, join, switch, invite, refresh). */
  authSessions: SessionTokens;
  /** Each tenant's compiled policy, cached per version. */
  policies: TenantPolicyService;
  /** Sessions' accounts as the last authentication read them; emptied by change notifications. */
  principalCache: PrincipalCache;
  /** Authorize calls counted in memory, flushed to `usage_counter` every minute (platform usage, #15). */
  authorizeCalls: AuthorizeCallCounter;
  /** The core's one-time codes (the core's `email_otp` and `phone_otp` sign-in methods check with it). */
  otpService: OtpService;
  /** Development and test servers put one-time codes and links in their answers; production never. */
  exposeOtpCodes: boolean;
  /** What one destination and one client may be sent (codes, links) per hour. */
  sendLimits: SendLimits;
  /** Closed by the app that owns it (`buildApp`'s onClose). */
  mail: MailDelivery;
  sms: SmsDelivery;
  google: GoogleIdTokenVerifier;
  /** What a Privy access token used as a bearer is checked with (the core's `privyBearerClaims`). */
  privyBearer: PrivyBearerDeps;
  /** What the core's identity routes (`identityHandlers`) are built with. */
  identityDeps: IdentityHandlerDeps;
  /** Clock skew tolerated on outside tokens and messages (the access-token tolerance). */
  toleranceSeconds: number;
  /** The sign-in methods `POST /auth/login` runs (the core's, with the server's keys). */
  signInMethods: SignInMethods;
  /** The registrations `POST /auth/register` runs. */
  registrationMethods: RegistrationMethods;
  /** The core's sign-in throttle; sign-ins pass it their transaction (`uow.within(tx)`). */
  throttle: SignInThrottle;
  /** Passwords' hasher (sign-in, registration, change, reset, MFA's password step). */
  passwordHasher: PasswordHasher;
  /** What the core's passkey rules are built with (WebAuthn, the stand-in credential key). */
  passkeys: PasskeyDeps;
  /** The messaging module: its sealer, and the mail outbox requests queue into (docs/messaging.md). */
  messaging: MessagingServices;
  /** Seals tenants' social sign-in client secrets (AES-256-GCM under a sub-key of the master key). */
  oauthSecrets: { sealer: SecretSealer };
}

/** The mail outbox as requests use it, and the signal the delivery worker listens to. */
export interface MessagingServices {
  /** Seals SMTP passwords and queued messages: AES-256-GCM under the master key's `messaging-secret` sub-key. */
  sealer: SecretSealer;
  /** What a core handler queues a mail with (`queueMail`); `onQueued` wakes this process's worker. */
  outbox: MessageOutboxDeps;
  /** Subscribes to `outbox.onQueued`; returns the unsubscribe. */
  onQueued(listener: () => void): () => void;
}

function messagingServices(config: Config, clock: Clock, random: RandomSource): MessagingServices {
  const sealer = webCryptoSealer(deriveKey(config.masterKey, 'messaging-secret'), random);
  const listeners = new Set<() => void>();
  return {
    sealer,
    outbox: {
      sealer,
      clock,
      random,
      onQueued: () => {
        for (const listener of listeners) listener();
      },
    },
    onQueued(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function createServices(config: Config, orm: MikroORM, deps: ServiceDeps = {}): Services {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? cryptoRandom;
  const keys = new SigningKeyStore({
    orm,
    masterKey: config.masterKey,
    clock,
    random,
    retentionSeconds: config.keys.retentionSeconds,
    minPendingAgeSeconds: config.keys.jwksMaxAgeSeconds,
    cacheTtlSeconds: config.keys.cacheTtlSeconds,
  });
  const accessTokens = new AccessTokenService({
    keys,
    clock,
    random,
    issuer: config.issuer,
    audience: config.audience,
    ttlSeconds: config.tokens.accessTtlSeconds,
    clockToleranceSeconds: config.tokens.clockToleranceSeconds,
  });
  const refreshTokens = new RefreshTokenService({
    store: new PostgresSessionStore({ orm }),
    clock,
    random,
    hashing: nodeHashing,
    successorKey: deriveKey(config.masterKey, 'refresh-token-successor'),
    idleTtlSeconds: config.tokens.refreshIdleTtlSeconds,
    absoluteTtlSeconds: config.tokens.refreshAbsoluteTtlSeconds,
    graceSeconds: config.tokens.refreshGraceSeconds,
    onReuse: auditRefreshTokenReuse(orm, clock),
  });
  const policies = new TenantPolicyService();
  const principalCache = new PrincipalCache();
  const logger = deps.logger ?? (pino({ level: 'silent' }) as FastifyBaseLogger);
  const toleranceSeconds = config.tokens.clockToleranceSeconds;
  const uow = new PostgresUnitOfWork({ orm, clock, policies });
  const google = new GoogleIdTokenVerifier({
    // Cached by jose; an unknown `kid` refetches, at most every 30 s.
    keys: createRemoteJWKSet(new URL(config.authMethods.googleJwksUrl), { timeoutDuration: 5000 }),
    keysAreRemote: true,
    clock,
    clockToleranceSeconds: toleranceSeconds,
  });
  const privy = new PrivyTokenVerifier({ clock, clockToleranceSeconds: toleranceSeconds });
  const otpService = new OtpService({
    store: new PostgresOtpChallengeStore({ orm }),
    clock,
    random,
    codeKey: deriveKey(config.masterKey, 'otp-code'),
  });
  const passkeys: PasskeyDeps = {
    clock,
    random,
    webauthn: simpleWebAuthnVerifier({ preload: true }),
    decoyKey: deriveKey(config.masterKey, 'passkey-decoy'),
  };
  const identityDeps: IdentityHandlerDeps = {
    clock,
    challenges: new Challenges({ clock, random }),
    google,
    privy,
    toleranceSeconds,
    otp: otpService,
  };
  const passwordHasher = deps.passwordHasher ?? argon2Hasher;
  const methodDeps = {
    clock,
    otpService,
    identityDeps,
    passkeySignIn: passkeySignIn(passkeys),
    hasher: passwordHasher,
  };
  const messaging = messagingServices(config, clock, random);
  return {
    config,
    orm,
    uow,
    clock,
    random,
    oauthSecrets: { sealer: webCryptoSealer(deriveKey(config.masterKey, 'oauth-client-secret'), random) },
    keys,
    accessTokens,
    refreshTokens,
    policies,
    principalCache,
    authorizeCalls: new AuthorizeCallCounter(clock),
    otpService,
    // A sign-in from a device the account has not used is noticed to its person (docs/messaging.md).
    authSessions: new SessionTokens({
      access: accessTokens,
      refresh: refreshTokens,
      uow,
      notices: messaging.outbox,
      secondFactor: refreshSecondFactorGate({ clock, random }),
    }),
    exposeOtpCodes: config.env !== 'production',
    sendLimits: config.sendLimits,
    mail: createMailDelivery(config, logger),
    sms: createSmsDelivery(config, logger),
    google,
    privyBearer: {
      privy,
      clock,
      sessionKey: deriveKey(config.masterKey, 'privy-session'),
      absoluteTtlSeconds: config.tokens.refreshAbsoluteTtlSeconds,
    },
    identityDeps,
    toleranceSeconds,
    signInMethods: serverSignInMethods(methodDeps),
    registrationMethods: serverRegistrationMethods(methodDeps),
    throttle: new SignInThrottle({ clock, uow }),
    passwordHasher,
    passkeys,
    messaging,
  };
}
