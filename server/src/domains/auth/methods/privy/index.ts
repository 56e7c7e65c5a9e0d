import { coreMethods, registryEntry } from '../../identities/core.js';

/**
 * `privy`: the core's method (server/core/src/methods/privy.ts), a Privy access token of the tenant's app.
 * The same token is also accepted directly as a bearer on user routes (`bearer.ts`).
 */
export const privyMethod = registryEntry('privy', ['privy'], (services) => coreMethods(services).privy);
