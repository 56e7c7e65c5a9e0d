import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Person } from './accounts.js';

/**
 * A registered passkey (WebAuthn credential) of a person, bound to the relying party id it was created
 * for. The public key is the COSE key from the attestation (base64url); `counter` is the last signature
 * counter seen (0 for authenticators that do not count, as synced passkeys).
 */
export const PasskeyCredential = defineEntity({
  name: 'PasskeyCredential',
  tableName: 'passkey_credential',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    person: () => p.manyToOne(Person).deleteRule('cascade'),
    /** The WebAuthn credential id, base64url. */
    credentialId: p.text().unique(),
    publicKey: p.text(),
    counter: p.bigint('number').default(0),
    transports: p.array().default([]),
    deviceType: p.text(),
    backedUp: p.boolean(),
    rpId: p.text(),
    aaguid: p.text().nullable(),
    name: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['person'] }],
});
export type IPasskeyCredential = InferEntity<typeof PasskeyCredential>;
