import { SIGNING_ALG, type SigningKeyStatus } from '@enforcer/core';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { ISigningKey } from '../../entities/signing-keys.js';
import { deriveKey, open, seal } from '../../lib/crypto.js';
import type { RandomSource } from '../../lib/random.js';

export interface NewSigningKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateKeyIv: Buffer;
  privateKeyTag: Buffer;
  privateKeyCiphertext: Buffer;
  status: SigningKeyStatus;
  createdAt: Date;
}

/** Generates an ES256 key pair; the private JWK is sealed with AES-256-GCM under the master key. */
export async function generateSigningKey(
  masterKey: Buffer,
  random: RandomSource,
  status: SigningKeyStatus,
  now: Date,
): Promise<NewSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const privateJwk = await exportJWK(privateKey);
  const sealed = seal(
    deriveKey(masterKey, 'signing-key-encryption'),
    Buffer.from(JSON.stringify(privateJwk), 'utf8'),
    kid,
    random,
  );
  return {
    kid,
    alg: SIGNING_ALG,
    publicJwk: { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y } as JWK,
    privateKeyIv: sealed.iv,
    privateKeyTag: sealed.tag,
    privateKeyCiphertext: sealed.ciphertext,
    status,
    createdAt: now,
  };
}

/** Decrypts a stored private key (throws if the master key is wrong or the row was tampered with). */
export async function decryptPrivateKey(
  row: Pick<ISigningKey, 'kid' | 'alg' | 'privateKeyIv' | 'privateKeyTag' | 'privateKeyCiphertext'>,
  masterKey: Buffer,
): Promise<CryptoKey> {
  return (await importJWK(decryptPrivateJwk(row, masterKey), row.alg)) as CryptoKey;
}

/** The private JWK a signing-key row holds, decrypted (node:crypto takes it as it is: the server's signer). */
export function decryptPrivateJwk(
  row: Pick<ISigningKey, 'kid' | 'privateKeyIv' | 'privateKeyTag' | 'privateKeyCiphertext'>,
  masterKey: Buffer,
): JWK {
  let jwk: JWK;
  try {
    const plaintext = open(
      deriveKey(masterKey, 'signing-key-encryption'),
      {
        iv: Buffer.from(row.privateKeyIv),
        tag: Buffer.from(row.privateKeyTag),
        ciphertext: Buffer.from(row.privateKeyCiphertext),
      },
      row.kid,
    );
    jwk = JSON.parse(plaintext.toString('utf8')) as JWK;
  } catch (error) {
    throw new Error(
      `cannot decrypt signing key ${row.kid}: wrong ENFORCER_MASTER_KEY, or the key row was altered`,
      { cause: error },
    );
  }
  return jwk;
}

export const importPublicKey = async (row: Pick<ISigningKey, 'alg' | 'publicJwk'>): Promise<CryptoKey> =>
  (await importJWK(row.publicJwk, row.alg)) as CryptoKey;
