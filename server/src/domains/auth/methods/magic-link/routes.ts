import { contract } from '@enforcer/contract';
import { type DomainRoutes, registerContractRoutes } from '../../../../http/contract-routes.js';
import { requestLink } from './routes/request-link.js';
import { getSettings, putSettings } from './routes/settings.js';

/** `contract.magicLink`: requesting a link, and the tenant's allowed redirect URLs. Login goes through the sign-in method. */
export const magicLinkRoutes: DomainRoutes = (app) => {
  registerContractRoutes(app, contract.magicLink, { request: requestLink, getSettings, putSettings });
};
