import { GoogleIdTokenVerifier, PrivyTokenVerifier } from '@enforcer/core';
import type { FastifyBaseLogger } from 'fastify';
import { createRemoteJWKSet } from 'jose';
import type { Services } from '../../../services.js';
import { ChallengeStore } from '../challenges/challenge-store.js';
import { createSmsDelivery } from '../sms/create-sms-delivery.js';
import type { SmsDelivery } from '../sms/sms-delivery.js';

/**
 * What the sign-in methods beyond email codes share, built once per `Services` (so per app): SMS delivery,
 * the server-side challenge store, Google's ID-token verifier (with its JWKS cache) and Privy's.
 */
export interface MethodKit {
  sms: SmsDelivery;
  challenges: ChallengeStore;
  google: GoogleIdTokenVerifier;
  privy: PrivyTokenVerifier;
  /** Clock skew tolerated on outside tokens and messages (the access-token tolerance). */
  toleranceSeconds: number;
}

const kits = new WeakMap<Services, MethodKit>();

/** The kit of a server. The auth routes build it with the app's logger (development SMS logs through it). */
export function methodKit(services: Services, logger?: FastifyBaseLogger): MethodKit {
  let kit = kits.get(services);
  if (!kit) {
    const { clock, random, config } = services;
    const toleranceSeconds = config.tokens.clockToleranceSeconds;
    kit = {
      sms: createSmsDelivery(config, logger ?? silentLogger),
      challenges: new ChallengeStore({ clock, random }),
      google: new GoogleIdTokenVerifier({
        // Cached by jose; an unknown `kid` refetches, at most every 30 s.
        keys: createRemoteJWKSet(new URL(config.authMethods.googleJwksUrl), { timeoutDuration: 5000 }),
        keysAreRemote: true,
        clock,
        clockToleranceSeconds: toleranceSeconds,
      }),
      privy: new PrivyTokenVerifier({ clock, clockToleranceSeconds: toleranceSeconds }),
      toleranceSeconds,
    };
    kits.set(services, kit);
  }
  return kit;
}

const noop = () => {};
const silentLogger = {
  info: noop,
  warn: noop,
  error: noop,
  debug: noop,
  trace: noop,
  fatal: noop,
  child: () => silentLogger,
  level: 'silent',
  silent: noop,
} as unknown as FastifyBaseLogger;
