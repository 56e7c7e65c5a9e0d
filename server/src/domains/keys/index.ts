export {
  type ActiveSigningKey,
  buildJwks,
  isPublished,
  type JwksDocument,
  type PublishedKey,
  SIGNING_ALG,
  type SigningKeyStatus,
  signingKeyStatuses,
} from '@enforcer/core';
export { type ISigningKey, SigningKey } from './entities.js';
export { decryptPrivateKey, generateSigningKey, importPublicKey } from './key-material.js';
export {
  KeyRotationError,
  type RotationResult,
  SigningKeyStore,
  type SigningKeyStoreOptions,
} from './signing-key-store.js';
