import type { DomainRoutes } from '../../api.js';

/** The groups routes of the contract (being written). */
export const groupsRoutes: DomainRoutes = (_app, _services) => {};
