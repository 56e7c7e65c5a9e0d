import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Account, Person } from './accounts.js';
import { Tenant } from './tenants.js';

/**
 * A person's TOTP authenticator (RFC 6238), one per person, valid in every tenant. The shared secret is
 * stored encrypted (AES-256-GCM under a key derived from the master key, bound to the person by the
 * associated data). `enabledAt` null = an enrollment waiting for its first code. `lastUsedStep` is the
 * time step of the last accepted code: a code of that step or an earlier one is refused (no replay).
 */
export const TotpCredential = defineEntity({
  name: 'TotpCredential',
  tableName: 'totp_credential',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    person: () => p.manyToOne(Person).unique().deleteRule('cascade'),
    /** base64url(iv ‖ tag ‖ ciphertext) of the base32 secret. */
    secretSealed: p.text(),
    lastUsedStep: p.bigint('number').nullable(),
    createdAt: p.datetime(),
    enabledAt: p.datetime().nullable(),
  },
});
export type ITotpCredential = InferEntity<typeof TotpCredential>;

/** One single-use recovery code: only a keyed hash (HMAC-SHA256 under a key derived from the master key). */
export const RecoveryCode = defineEntity({
  name: 'RecoveryCode',
  tableName: 'recovery_code',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    person: () => p.manyToOne(Person).deleteRule('cascade'),
    codeHash: p.text().unique(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
  },
  indexes: [{ properties: ['person'] }],
});
export type IRecoveryCode = InferEntity<typeof RecoveryCode>;

/**
 * A sign-in waiting for its second factor: the first factor was right, no session exists yet. The
 * `mfa_token` handed out is opaque (256 bits); only its SHA-256 is stored. Single use, short-lived, and
 * burnt after a few wrong codes.
 */
export const MfaChallenge = defineEntity({
  name: 'MfaChallenge',
  tableName: 'mfa_challenge',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tokenHash: p.text().unique(),
    account: () => p.manyToOne(Account).deleteRule('cascade'),
    person: () => p.manyToOne(Person).deleteRule('cascade'),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    /** The login method of the first factor (`password`, `email_otp`, ...). */
    provider: p.text(),
    /** The `amr` of the first factor; the second factor's values are added when the session opens. */
    amr: p.array().default([]),
    attempts: p.integer().default(0),
    ip: p.text().nullable(),
    userAgent: p.text().nullable(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    consumedAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['expiresAt'] }, { properties: ['person'] }],
});
export type IMfaChallenge = InferEntity<typeof MfaChallenge>;
