import { z } from 'zod';
import { boundedRecord, identifierSchema, idSchema, timestampSchema } from '../common/schemas';
import { planSchema } from '../policy/residual';
import { actionSchema, policyDocumentSchema } from '../policy/schema';

/**
 * The `policy` router (`GET/PUT /policy`, `POST /authorize`, `POST /authorize/filter`).
 * The folder is not called `policy/` because that one holds the engine itself.
 */

/** An attribute value, of a subject or a resource. Timestamps travel as ISO 8601 strings. */
export const attributeValueSchema = z.union([
  z.string().max(1024),
  z.number().finite(),
  z.boolean(),
  z.array(z.string().max(1024)).max(100),
  z.null(),
]);
export type AttributeValue = z.infer<typeof attributeValueSchema>;

export const attributesSchema = boundedRecord(identifierSchema, attributeValueSchema, 100);

/** Who a decision is about, as the policy engine sees them (`subject.*` in conditions). */
export const policySubjectSchema = z.object({
  /** The account id. */
  id: idSchema,
  /** Null for a subject that is not a person (an API key). */
  person_id: idSchema.nullable(),
  /** The admin's account acting as this one (an impersonation token's `act.sub`, #14): `subject.actor`. */
  actor: idSchema.optional(),
  /** `account`, or `client` for an application's token (#18): `subject.kind`. Absent means `account`. */
  kind: z.enum(['account', 'client']).optional(),
  tenant_id: idSchema,
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  attributes: z.record(z.string(), attributeValueSchema),
});
export type PolicySubject = z.infer<typeof policySubjectSchema>;

/** `GET /policy` and `PUT /policy` answer with the stored document and its version. */
export const policyResponseSchema = z.object({
  /** The document as stored (what `PUT /policy` wrote; the default one until then). */
  document: policyDocumentSchema,
  /**
   * What decisions use: the stored document with the tenant's groups (`POST /groups`)
   * merged in. Offline verifiers and SDKs compile this one.
   */
  effective: policyDocumentSchema,
  /** A strong ETag of the effective document; `PUT /policy` takes it as `If-Match`. */
  etag: z.string(),
  updated_at: timestampSchema,
});
export type PolicyResponse = z.infer<typeof policyResponseSchema>;

/** `PUT /policy` headers: `If-Match` makes the write conditional (412 when someone else wrote first). */
export const putPolicyHeaders = { 'if-match': z.string().max(256).optional() };

export const resourceRefSchema = z.strictObject({
  type: identifierSchema,
  /** The record's attributes, as the policy declares them for `type`. Missing means null. */
  attributes: attributesSchema,
});
export type ResourceRef = z.infer<typeof resourceRefSchema>;

/**
 * `POST /authorize`: may the subject do `action` (to `resource`)? The subject is the
 * caller; an API key (or a caller holding `authorize.any`) names another account of the
 * tenant with `account_id`.
 */
export const authorizeBodySchema = z.strictObject({
  action: actionSchema,
  resource: resourceRefSchema.optional(),
  account_id: idSchema.optional(),
});
export type AuthorizeBody = z.infer<typeof authorizeBodySchema>;

export const decisionReasonKinds = [
  'tenant_mismatch',
  'denied_by_rule',
  'allowed_by_role',
  'allowed_by_group',
  'allowed_by_scope',
  'allowed_by_rule',
  'no_matching_allow',
  'unknown_resource_type',
] as const;
export const decisionReasonKindSchema = z.enum(decisionReasonKinds);
export type DecisionReasonKind = z.infer<typeof decisionReasonKindSchema>;

/**
 * Why a decision came out the way it did: the engine's `Reason` (`explain()`), as is.
 * `rule` is the rule's `id`, or `rules[<index>]`; `permission` is the pattern that matched.
 */
export const decisionReasonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('unknown_resource_type'), resource_type: z.string() }),
  z.object({ kind: z.literal('tenant_mismatch') }),
  z.object({ kind: z.literal('denied_by_rule'), rule: z.string() }),
  z.object({ kind: z.literal('allowed_by_role'), role: z.string(), permission: z.string() }),
  z.object({ kind: z.literal('allowed_by_group'), group: z.string(), permission: z.string() }),
  /** An application's own scope granted it (#18). */
  z.object({ kind: z.literal('allowed_by_scope'), scope: z.string() }),
  z.object({ kind: z.literal('allowed_by_rule'), rule: z.string() }),
  z.object({ kind: z.literal('no_matching_allow') }),
]);
export type DecisionReason = z.infer<typeof decisionReasonSchema>;

export const authorizeResponseSchema = z.object({
  allowed: z.boolean(),
  reason: decisionReasonSchema,
});
export type AuthorizeResponse = z.infer<typeof authorizeResponseSchema>;

/** The most checks one `POST /authorize/batch` may carry (a page of a list view, a screen of buttons). */
export const MAX_BATCH_CHECKS = 100;

/** One check of a batch: `POST /authorize`'s body without the subject, which the batch names once. */
export const authorizeCheckSchema = z.strictObject({
  action: actionSchema,
  resource: resourceRefSchema.optional(),
});
export type AuthorizeCheck = z.infer<typeof authorizeCheckSchema>;

/**
 * `POST /authorize/batch`: many checks for one subject (the caller, or `account_id` as for `/authorize`),
 * answered in order, each exactly as `POST /authorize` would answer it.
 */
export const authorizeBatchBodySchema = z.strictObject({
  checks: z.array(authorizeCheckSchema).min(1).max(MAX_BATCH_CHECKS),
  account_id: idSchema.optional(),
});
export type AuthorizeBatchBody = z.infer<typeof authorizeBatchBodySchema>;

export const authorizeBatchResponseSchema = z.object({ results: z.array(authorizeResponseSchema) });
export type AuthorizeBatchResponse = z.infer<typeof authorizeBatchResponseSchema>;

/** `POST /authorize/filter`: which records of `resource_type` may the subject `action`? */
export const filterBodySchema = z.strictObject({
  action: actionSchema,
  resource_type: identifierSchema,
  account_id: idSchema.optional(),
});
export type FilterBody = z.infer<typeof filterBodySchema>;

export const filterResponseSchema = z.object({ plan: planSchema });
export type FilterResponse = z.infer<typeof filterResponseSchema>;
