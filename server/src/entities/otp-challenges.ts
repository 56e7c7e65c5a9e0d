import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Tenant } from './tenants.js';

/**
 * One issued one-time code. Only a keyed hash of the code is stored (an OTP has little entropy: hash it
 * with a secret key, e.g. `hmacSha256(deriveKey(masterKey, 'otp-code'), code)`, never a bare SHA-256).
 */
export const OtpChallenge = defineEntity({
  name: 'OtpChallenge',
  tableName: 'otp_challenge',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    /** Lower-cased. */
    email: p.text().check('email = lower(email)'),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade').nullable(),
    /** e.g. `login`, `register`, `verify_email`. */
    purpose: p.text(),
    codeHash: p.text(),
    expiresAt: p.datetime(),
    attempts: p.integer().default(0),
    consumedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['email', 'purpose', 'createdAt'] }, { properties: ['expiresAt'] }],
});
export type IOtpChallenge = InferEntity<typeof OtpChallenge>;
