import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Account, Person } from './accounts.js';
import { Tenant } from './tenants.js';

/**
 * A login session = one refresh-token family (RFC 9700). Bound to one account, hence one tenant.
 * Revoking it (logout, reuse detection, account deactivation) kills every refresh token in the family.
 */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'session',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    account: () => p.manyToOne(Account).deleteRule('cascade'),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    person: () => p.manyToOne(Person).deleteRule('cascade'),
    /** Authentication methods used at login (RFC 8176 style: `otp`, `pwd`, `hwk`, ...). */
    amr: p.array().default([]),
    /** When the session last completed a second factor (sign-in with MFA, or a step-up); null if never. */
    mfaAt: p.datetime().nullable(),
    ip: p.text().nullable(),
    userAgent: p.text().nullable(),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime(),
    absoluteExpiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
    revokeReason: p.text().nullable(),
    /**
     * The admin's account acting in this session (impersonation, #14): it has no refresh token, and it
     * ends when that account leaves `active`. Null for a session of the account's own.
     */
    actorAccount: () => p.manyToOne(Account).nullable().deleteRule('cascade'),
  },
  indexes: [
    { properties: ['account'] },
    { properties: ['person'] },
    { properties: ['tenant'] },
    { properties: ['actorAccount'] },
  ],
});
export type ISession = InferEntity<typeof Session>;

/**
 * One refresh token of a family. Only the SHA-256 of the opaque token is stored. `usedAt` is set when it
 * is rotated, `replacedById` points at its successor, `parentId` at its predecessor.
 */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_token',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    session: () => p.manyToOne(Session).deleteRule('cascade'),
    tokenHash: p.text().unique(),
    parentId: p.uuid().nullable(),
    replacedById: p.uuid().nullable(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    /** Idle expiry: min(issued + idle TTL, the session's absolute expiry). */
    expiresAt: p.datetime(),
  },
  indexes: [{ properties: ['session'] }],
});
export type IRefreshToken = InferEntity<typeof RefreshToken>;
