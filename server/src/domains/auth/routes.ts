import { contract } from '@enforcer/contract';
import {
  type AuthDeps,
  authRouteHandlers,
  forgetUnprovenCredentials,
  oauth4webapiClient,
  secondFactorGate,
  socialSignInHandlers,
  webCryptoHashing,
} from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * The auth routes of the contract (`contract.auth`): all the core's (`authRouteHandlers`, the same list the
 * mock registers), with the server's mail, SMS, keys and verifiers. Who may call each is the contract's
 * route metadata, enforced by the shared authenticate hook.
 */
export const authRoutes: DomainRoutes = (app, services) => {
  const { clock } = services;
  const auth: AuthDeps = {
    uow: services.uow,
    clock,
    throttle: services.throttle,
    methods: services.signInMethods,
    registrations: services.registrationMethods,
    codes: {
      otp: services.otpService,
      exposeCodes: services.exposeOtpCodes,
      sendLimits: services.sendLimits,
      // A tenant's code mail goes through the outbox (queued with the code, delivered by the worker).
      outbox: services.messaging.outbox,
      onDeliveryFailure: (error, channel) =>
        app.log.error({ err: error }, `one-time code: ${channel} delivery failed`),
    },
    sessions: services.authSessions,
    onEmailFirstProven: (repos, personId) => forgetUnprovenCredentials(repos, clock, personId),
    secondFactor: secondFactorGate(services),
    refreshCookie: {
      maxAgeSeconds: services.config.tokens.refreshAbsoluteTtlSeconds,
      trustedOrigins: services.config.corsOrigins,
    },
  };
  registerCoreRoutes(
    app,
    contract.auth,
    authRouteHandlers(services.uow, { auth, passkeys: services.passkeys, identities: services.identityDeps }),
  );
  // Social sign-in (contract.oauthSignIn): the exchange runs the same login flow as POST /auth/login.
  const { config } = services;
  registerCoreRoutes(
    app,
    contract.oauthSignIn,
    socialSignInHandlers(services.uow, {
      clock,
      random: services.random,
      hashing: webCryptoHashing,
      sealer: services.oauthSecrets.sealer,
      client: oauth4webapiClient({
        clock,
        allowInsecureRequests: config.env !== 'production',
        // Tests only (NODE_ENV=test): GitHub's endpoints on a loopback stand-in.
        ...(config.oauthTestEndpoints && { endpoints: config.oauthTestEndpoints }),
      }),
      callbackUrl: (provider) => `${config.issuer}/auth/oauth/${encodeURIComponent(provider)}/callback`,
      login: auth,
    }),
  );
};
