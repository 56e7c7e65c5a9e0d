import { signingKeyStatuses } from '@enforcer/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import type { JWK } from 'jose';

/**
 * A JWT signing key. The private JWK is encrypted at rest with AES-256-GCM under a key derived from the
 * master key (random 12-byte IV, the kid as associated data). At most one key is active.
 */
export const SigningKey = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_key',
  properties: {
    /** RFC 7638 JWK thumbprint of the public key. */
    kid: p.text().primary(),
    alg: p.text(),
    publicJwk: p.json<JWK>(),
    privateKeyIv: p.blob(),
    privateKeyTag: p.blob(),
    privateKeyCiphertext: p.blob(),
    status: p.enum(signingKeyStatuses),
    createdAt: p.datetime(),
    activatedAt: p.datetime().nullable(),
    retiredAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['status', 'createdAt'] }],
  uniques: [{ name: 'signing_key_one_active', properties: ['status'], where: "status = 'active'" }],
});
export type ISigningKey = InferEntity<typeof SigningKey>;
