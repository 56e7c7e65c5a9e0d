import type { DomainRoutes } from '../../api.js';

/** The api-keys routes of the contract (being written). */
export const apiKeysRoutes: DomainRoutes = (_app, _services) => {};
