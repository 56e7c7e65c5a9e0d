import { contract } from '@enforcer/contract';
import { membershipsHandler, passkeyHandlers, permissionsHandler } from '@enforcer/core';
import { type DomainRoutes, registerContractRoutes } from '../../http/contract-routes.js';
import { coreRoute } from '../../http/core-handlers.js';
import { acceptInvite } from './routes/accept-invite.js';
import { joinTenant } from './routes/join-tenant.js';
import { linkGoogle } from './routes/link-google.js';
import { linkPhone } from './routes/link-phone.js';
import { linkPrivy } from './routes/link-privy.js';
import { linkSiwe } from './routes/link-siwe.js';
import { listIdentities } from './routes/list-identities.js';
import { login, passkeyLoginFinish } from './routes/login.js';
import { logout } from './routes/logout.js';
import { me } from './routes/me.js';
import { refresh } from './routes/refresh.js';
import { register } from './routes/register.js';
import { requestOtp } from './routes/request-otp.js';
import { siweNonce } from './routes/siwe-nonce.js';
import { switchTenant } from './routes/switch-tenant.js';
import { unlinkIdentity } from './routes/unlink-identity.js';

/**
 * The auth routes of the contract (`contract.auth`), one handler per file under `routes/`. Who may call
 * each is the contract's route metadata, enforced by the shared authenticate hook.
 */
export const authRoutes: DomainRoutes = (app, services) => {
  const passkeys = passkeyHandlers(services.uow, services.passkeys);
  // `tenants`, `permissions` and the passkey routes but login finish are the core's handlers, as the mock
  // runs them; the rest moves with sign-in.
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
    identities: listIdentities,
    linkPhone,
    linkGoogle,
    linkSiwe,
    linkPrivy,
    unlinkIdentity,
    siweNonce,
    passkeyRegisterBegin: coreRoute(passkeys.passkeyRegisterBegin),
    passkeyRegisterFinish: coreRoute(passkeys.passkeyRegisterFinish),
    passkeyLoginBegin: coreRoute(passkeys.passkeyLoginBegin),
    passkeyCredentials: coreRoute(passkeys.passkeyCredentials),
    deletePasskey: coreRoute(passkeys.deletePasskey),
  });
};
