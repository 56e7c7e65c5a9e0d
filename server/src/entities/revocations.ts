import { revocationEventKinds } from '@enforcer/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/**
 * The change log behind `GET /revocations`. Rows are written only by database triggers (see the
 * migration `revocation_feed`), in the same transaction as the change they record, whoever makes it:
 * a session revoked or deleted; an account's role, active flag or grant version changed, the account
 * deleted, a group membership added or removed, a group renamed. `xid` is the writing transaction's id
 * (`pg_current_xact_id()`), which is what makes the feed's cursor safe (see server/core/src/revocations/handlers.ts). Ids are plain
 * columns (no foreign keys): a deleted tenant or account must not take its events with it mid-statement.
 */
export const RevocationEvent = defineEntity({
  name: 'RevocationEvent',
  tableName: 'revocation_event',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    xid: p.bigint('string'),
    tenantId: p.uuid(),
    kind: p.enum(revocationEventKinds),
    sessionId: p.uuid().nullable(),
    accountId: p.uuid().nullable(),
    /** An application's client id (`client_token_revoked`, `application_changed`, #18). */
    clientId: p.text().nullable(),
    /** A revoked client token's `jti` (`client_token_revoked`). */
    jti: p.text().nullable(),
    createdAt: p.datetime(),
  },
  indexes: [{ properties: ['tenantId', 'xid', 'id'] }, { properties: ['createdAt'] }],
});
export type IRevocationEvent = InferEntity<typeof RevocationEvent>;
