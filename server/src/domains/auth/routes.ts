import { contract } from '@enforcer/contract';
import { type DomainRoutes, registerContractRoutes } from '../../api.js';
import { authMethodHandlers } from './methods/handlers.js';
import { acceptInvite } from './routes/accept-invite.js';
import { joinTenant } from './routes/join-tenant.js';
import { listTenants } from './routes/list-tenants.js';
import { login, passkeyLoginFinish } from './routes/login.js';
import { logout } from './routes/logout.js';
import { me } from './routes/me.js';
import { permissions } from './routes/permissions.js';
import { refresh } from './routes/refresh.js';
import { register } from './routes/register.js';
import { requestOtp } from './routes/request-otp.js';
import { switchTenant } from './routes/switch-tenant.js';

/**
 * The auth routes of the contract (`contract.auth`), one handler per file under `routes/`. Who may call
 * each is the contract's route metadata, enforced by the shared authenticate hook.
 */
export const authRoutes: DomainRoutes = (app, services) => {
  registerContractRoutes(app, contract.auth, {
    register,
    requestOtp,
    login,
    passkeyLoginFinish,
    refresh,
    logout,
    joinTenant,
    switchTenant,
    tenants: listTenants,
    acceptInvite,
    me,
    permissions,
    ...authMethodHandlers(services),
  });
};
