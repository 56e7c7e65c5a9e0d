import type { DomainRoutes } from '../../api.js';

/** The policy routes of the contract (being written). */
export const policyRoutes: DomainRoutes = (_app, _services) => {};
