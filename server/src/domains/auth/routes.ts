import { contract } from '@enforcer/contract';
import { identityHandlers, membershipsHandler, permissionsHandler } from '@enforcer/core';
import { type DomainRoutes, registerContractRoutes } from '../../http/contract-routes.js';
import { coreRoute } from '../../http/core-handlers.js';
import { acceptInvite } from './routes/accept-invite.js';
import { deletePasskey } from './routes/delete-passkey.js';
import { joinTenant } from './routes/join-tenant.js';
import { login, passkeyLoginFinish } from './routes/login.js';
import { logout } from './routes/logout.js';
import { me } from './routes/me.js';
import { passkeyCredentials } from './routes/passkey-credentials.js';
import { passkeyLoginBegin } from './routes/passkey-login-begin.js';
import { passkeyRegisterBegin } from './routes/passkey-register-begin.js';
import { passkeyRegisterFinish } from './routes/passkey-register-finish.js';
import { refresh } from './routes/refresh.js';
import { register } from './routes/register.js';
import { requestOtp } from './routes/request-otp.js';
import { switchTenant } from './routes/switch-tenant.js';

/**
 * The auth routes of the contract (`contract.auth`), one handler per file under `routes/`. Who may call
 * each is the contract's route metadata, enforced by the shared authenticate hook.
 */
export const authRoutes: DomainRoutes = (app, services) => {
  // Linked identities and the SIWE nonce are the core's (server/core/src/identities/).
  const identities = identityHandlers(services.identities.uow, services.identities.deps);
  // `tenants` and `permissions` are the core's handlers, as the mock runs them; the rest moves with sign-in.
  registerContractRoutes(app, contract.auth, {
    register,
    requestOtp,
    login,
    passkeyLoginFinish,
    refresh,
    logout,
    joinTenant,
    switchTenant,
    tenants: coreRoute(membershipsHandler(services.uow)),
    acceptInvite,
    me,
    permissions: coreRoute(permissionsHandler(services.uow)),
    identities: coreRoute(identities.identities),
    linkPhone: coreRoute(identities.linkPhone),
    linkGoogle: coreRoute(identities.linkGoogle),
    linkSiwe: coreRoute(identities.linkSiwe),
    linkPrivy: coreRoute(identities.linkPrivy),
    unlinkIdentity: coreRoute(identities.unlinkIdentity),
    siweNonce: coreRoute(identities.siweNonce),
    passkeyRegisterBegin,
    passkeyRegisterFinish,
    passkeyLoginBegin,
    passkeyCredentials,
    deletePasskey,
  });
};
