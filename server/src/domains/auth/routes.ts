import { contract } from '@enforcer/contract';
import {
  authHandlers,
  forgetUnprovenCredentials,
  identityHandlers,
  membershipsHandler,
  OTP_TTL_SECONDS,
  passkeyHandlers,
  permissionsHandler,
  secondFactorGate,
} from '@enforcer/core';
import { type DomainRoutes, registerContractRoutes } from '../../http/contract-routes.js';
import { coreRoute } from '../../http/core-handlers.js';
import { otpMessage } from './mail/messages.js';
import { smsText } from './methods/phone-otp/request-code.js';

/**
 * The auth routes of the contract (`contract.auth`). Signing in and the session routes (login, refresh,
 * logout, join, switch, invite accept, me), `tenants` and `permissions` are the core's handlers, as the
 * mock runs them; the rest (one handler per file under `routes/`) moves with the sign-in methods. Who may
 * call each is the contract's route metadata, enforced by the shared authenticate hook.
 */
export const authRoutes: DomainRoutes = (app, services) => {
  const { clock } = services;
  const auth = authHandlers({
    uow: services.uow,
    clock,
    throttle: services.throttle,
    methods: services.signInMethods,
    registrations: services.registrationMethods,
    codes: {
      otp: services.otpService,
      exposeCodes: services.exposeOtpCodes,
      deliver: ({ channel, to, code, tenant }) =>
        channel === 'email'
          ? services.mail.send(otpMessage({ to, code, tenant, ttlSeconds: OTP_TTL_SECONDS }))
          : services.sms.send({ to, text: smsText(code, tenant, OTP_TTL_SECONDS) }),
      onDeliveryFailure: (error, channel) =>
        app.log.error({ err: error }, `one-time code: ${channel} delivery failed`),
    },
    sessions: services.authSessions,
    onEmailFirstProven: (repos, personId) => forgetUnprovenCredentials(repos, clock, personId),
    secondFactor: secondFactorGate(services),
  });
  const passkeys = passkeyHandlers(services.uow, services.passkeys);
  const identities = identityHandlers(services.uow, services.identityDeps);
  registerContractRoutes(app, contract.auth, {
    register: coreRoute(auth.register),
    requestOtp: coreRoute(auth.requestOtp),
    login: coreRoute(auth.login),
    passkeyLoginFinish: coreRoute(auth.passkeyLoginFinish),
    refresh: coreRoute(auth.refresh),
    logout: coreRoute(auth.logout),
    joinTenant: coreRoute(auth.joinTenant),
    switchTenant: coreRoute(auth.switchTenant),
    tenants: coreRoute(membershipsHandler(services.uow)),
    acceptInvite: coreRoute(auth.acceptInvite),
    me: coreRoute(auth.me),
    permissions: coreRoute(permissionsHandler(services.uow)),
    identities: coreRoute(identities.identities),
    linkPhone: coreRoute(identities.linkPhone),
    linkGoogle: coreRoute(identities.linkGoogle),
    linkSiwe: coreRoute(identities.linkSiwe),
    linkPrivy: coreRoute(identities.linkPrivy),
    unlinkIdentity: coreRoute(identities.unlinkIdentity),
    siweNonce: coreRoute(identities.siweNonce),
    passkeyRegisterBegin: coreRoute(passkeys.passkeyRegisterBegin),
    passkeyRegisterFinish: coreRoute(passkeys.passkeyRegisterFinish),
    passkeyLoginBegin: coreRoute(passkeys.passkeyLoginBegin),
    passkeyCredentials: coreRoute(passkeys.passkeyCredentials),
    deletePasskey: coreRoute(passkeys.deletePasskey),
  });
};
