import { contract } from '@enforcer/contract';
import { type DomainRoutes, registerContractRoutes } from '../../../../http/contract-routes.js';
import { changePassword } from './routes/change-password.js';
import { confirmReset } from './routes/confirm-reset.js';
import { requestReset } from './routes/request-reset.js';

/** `contract.password`: change (signed in) and reset by mailed code. Login and register go through the sign-in method. */
export const passwordRoutes: DomainRoutes = (app) => {
  registerContractRoutes(app, contract.password, { change: changePassword, requestReset, confirmReset });
};
