import type { DomainRoutes } from '../../api.js';

/** The auth routes of the contract (being written). */
export const authRoutes: DomainRoutes = (_app, _services) => {};
