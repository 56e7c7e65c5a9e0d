export { type ISigningKey, SigningKey, type SigningKeyStatus, signingKeyStatuses } from './entities.js';
export { buildJwks, isPublished, type JwksDocument, type PublishedKey } from './jwks.js';
export { decryptPrivateKey, generateSigningKey, importPublicKey, SIGNING_ALG } from './key-material.js';
export {
  type ActiveSigningKey,
  KeyRotationError,
  type RotationResult,
  SigningKeyStore,
  type SigningKeyStoreOptions,
} from './signing-key-store.js';
