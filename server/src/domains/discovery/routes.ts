import type { DomainRoutes } from '../../api.js';

/** The discovery routes of the contract (being written). */
export const discoveryRoutes: DomainRoutes = (_app, _services) => {};
