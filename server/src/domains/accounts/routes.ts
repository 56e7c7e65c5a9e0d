import type { DomainRoutes } from '../../api.js';

/** The accounts routes of the contract (being written). */
export const accountsRoutes: DomainRoutes = (_app, _services) => {};
