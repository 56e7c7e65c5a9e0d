import { throttleKinds } from '@enforcer/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/**
 * Failed sign-in attempts (wrong passwords, one-time codes, TOTP and recovery codes) counted for one key:
 * an account (`account:<tenant id>:<identifier>`, kept whether or not the account exists, so the answers
 * cannot tell) or a client address (`client:<ip>`). Servers are stateless: this table is the only memory.
 * `blockedUntil` is the growing delay; `lockedAt` a lockout only an admin lifts (accounts only).
 */
export const AuthThrottle = defineEntity({
  name: 'AuthThrottle',
  tableName: 'auth_throttle',
  properties: {
    key: p.text().primary(),
    kind: p.enum(throttleKinds),
    /** Account keys: the tenant and the identifier (a lower-cased email) the key is for. */
    tenantId: p.uuid().nullable(),
    identifier: p.text().nullable(),
    /** Consecutive failures (accounts: since the last success or unlock; clients: within the window). */
    failures: p.integer().default(0),
    lastFailureAt: p.datetime().nullable(),
    blockedUntil: p.datetime().nullable(),
    lockedAt: p.datetime().nullable(),
    updatedAt: p.datetime(),
  },
  indexes: [{ properties: ['tenantId', 'identifier'] }, { properties: ['updatedAt'] }],
});
export type IAuthThrottle = InferEntity<typeof AuthThrottle>;

/**
 * Codes sent, counted per key (a destination, a client address, a tenant's hour or SMS day) in its current
 * fixed window (`countSend` in the core). One row per key: a new window starts the count again.
 */
export const SendCounter = defineEntity({
  name: 'SendCounter',
  tableName: 'send_counter',
  properties: {
    key: p.text().primary(),
    windowStart: p.datetime(),
    count: p.integer(),
  },
  indexes: [{ properties: ['windowStart'] }],
});

/**
 * Requests counted by the general rate limit per key (route class + credential digest or client address) in
 * its current fixed window, the total of every server process (`stores/postgres/rate-limits.ts`). The table
 * is unlogged (the migration says why).
 */
export const RateLimitCounter = defineEntity({
  name: 'RateLimitCounter',
  tableName: 'rate_limit_counter',
  properties: {
    key: p.text().primary(),
    windowStart: p.datetime(),
    hits: p.integer(),
  },
  indexes: [{ properties: ['windowStart'] }],
});
