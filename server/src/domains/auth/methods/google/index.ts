import { coreMethods, registryEntry } from '../../identities/core.js';

/** `google`: the core's method (server/core/src/methods/google.ts), a Google ID token and its nonce, once. */
export const googleMethod = registryEntry('google', ['google'], (services) => coreMethods(services).google);
