import { randomUUID } from 'node:crypto';
import { deletionRequestStatuses } from '@enforcer/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/**
 * A person's request to be erased (#15), made from one tenant's account: pending through the tenant's grace
 * period, then completed (by the job or an admin) or cancelled. Ids are plain columns (no foreign keys), as
 * in the audit log: the request outlives the erasure, naming pseudonymous ids only.
 */
export const DeletionRequest = defineEntity({
  name: 'DeletionRequest',
  tableName: 'deletion_request',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tenantId: p.uuid(),
    accountId: p.uuid(),
    personId: p.uuid(),
    status: p.enum(deletionRequestStatuses),
    /** When it was asked for. */
    createdAt: p.datetime(),
    scheduledFor: p.datetime(),
    cancelledAt: p.datetime().nullable(),
    completedAt: p.datetime().nullable(),
    processedByType: p.text().nullable(),
    processedById: p.text().nullable(),
  },
  // One pending request per person (a guard behind the rule).
  uniques: [
    {
      name: 'deletion_request_person_pending_unique',
      expression:
        'create unique index "deletion_request_person_pending_unique" on "deletion_request" ("person_id") where "status" = \'pending\'',
    },
  ],
  indexes: [{ properties: ['tenantId', 'createdAt', 'id'] }, { properties: ['status', 'scheduledFor'] }],
});
export type IDeletionRequest = InferEntity<typeof DeletionRequest>;
