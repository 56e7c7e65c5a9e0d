import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Person } from './accounts.js';

/**
 * An external sign-in method bound to one person: a phone number (`phone_otp`, E.164), a Google account
 * (`google`, issuer + subject), an Ethereum address (`siwe`, EIP-55 checksummed) or a Privy user
 * (`privy`, the DID). `(provider, subject)` is unique: one identity belongs to exactly one person.
 * Passkeys have their own table (`passkey_credential`); the primary email stays on the person.
 */
export const PersonIdentity = defineEntity({
  name: 'PersonIdentity',
  tableName: 'person_identity',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    person: () => p.manyToOne(Person).deleteRule('cascade'),
    provider: p.text().check(`provider in ('phone_otp', 'google', 'siwe', 'privy', 'oidc')`),
    subject: p.text(),
    /** An email the provider vouched for when the identity was last used (Google); informational. */
    email: p.text().nullable(),
    /** When the method was proven (linking or first sign-in). */
    verifiedAt: p.datetime(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['provider', 'subject'] }],
  indexes: [{ properties: ['person'] }],
});
export type IPersonIdentity = InferEntity<typeof PersonIdentity>;
