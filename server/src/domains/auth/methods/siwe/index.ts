import { coreMethods, registryEntry } from '../../identities/core.js';

/** `siwe`: the core's method (server/core/src/methods/siwe.ts), a signed EIP-4361 message and its nonce. */
export const siweMethod = registryEntry('siwe', ['swk'], (services) => coreMethods(services).siwe);
