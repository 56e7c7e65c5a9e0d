import type { DomainRoutes } from '../../api.js';

/** The tenants routes of the contract (being written). */
export const tenantsRoutes: DomainRoutes = (_app, _services) => {};
