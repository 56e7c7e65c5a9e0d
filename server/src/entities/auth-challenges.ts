import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Person } from './accounts.js';
import { Tenant } from './tenants.js';

/**
 * A single-use server-side challenge: a WebAuthn ceremony's challenge (`passkey_register`,
 * `passkey_login`), a Sign-In with Ethereum nonce (`siwe`), or a Google nonce seen once (`google_nonce`,
 * recorded consumed so the same ID token cannot be replayed). Only the SHA-256 of the value is stored;
 * `(purpose, value_hash)` is unique.
 */
export const AuthChallenge = defineEntity({
  name: 'AuthChallenge',
  tableName: 'auth_challenge',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    purpose: p.text(),
    /** SHA-256 (hex) of the challenge or nonce. */
    valueHash: p.text(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade').nullable(),
    /** The signed-in person a registration challenge was issued to. */
    person: () => p.manyToOne(Person).deleteRule('cascade').nullable(),
    /** What the ceremony needs to remember (a passkey name, the email a login started with). */
    data: p.json<Record<string, unknown>>().nullable(),
    expiresAt: p.datetime(),
    consumedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['purpose', 'valueHash'] }],
  indexes: [{ properties: ['expiresAt'] }],
});
export type IAuthChallenge = InferEntity<typeof AuthChallenge>;
