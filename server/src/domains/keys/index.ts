// The key rules (publication, order, the SigningKeys port) are the core's: import them from @enforcer/core.
export { type ISigningKey, SigningKey } from '../../entities/signing-keys.js';
export { decryptPrivateKey, generateSigningKey, importPublicKey } from './key-material.js';
export {
  KeyRotationError,
  type RotationResult,
  SigningKeyStore,
  type SigningKeyStoreOptions,
} from './signing-key-store.js';
