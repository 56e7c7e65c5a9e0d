// zod/mini: the same schemas as zod's classic API, in a form a bundler can trim, so the browser's lazy
// policy chunk (`can()`) carries only the checks used here.
import * as z from 'zod/mini';

/**
 * The policy document: what a tenant stores with `PUT /policy` and what `compile()` takes.
 * This file is only the shape; the checks that need the whole document (unknown
 * attributes, roles and groups, mismatched types) live in validate.ts.
 */

/** The types an attribute (of a resource, or of the subject) can have. */
export const attributeTypeSchema = z.enum(['string', 'number', 'boolean', 'timestamp', 'string[]']);
export type AttributeType = z.infer<typeof attributeTypeSchema>;

/** lower_snake_case names: resource types, attributes, roles, groups. */
export const identifierSchema = z
  .string()
  .check(
    z.regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower_snake_case, start with a letter, at most 63 characters'),
  );

/** `accounts.read`, `transfers.create`, `accounts.notes.read` */
const actionName = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;
export const actionSchema = z
  .string()
  .check(
    z.maxLength(128),
    z.regex(actionName, 'an action is dot-separated lower-case words, like "accounts.read"'),
  );

/** An action or a pattern: `accounts.read`, `accounts.*` (everything below accounts) or `*` (everything). */
export const actionPatternSchema = z.string().check(
  z.maxLength(128),
  z.refine(
    (p) => p === '*' || actionName.test(p) || (p.endsWith('.*') && actionName.test(p.slice(0, -2))),
    'a permission is an action ("accounts.read"), a prefix wildcard ("accounts.*") or "*"',
  ),
);

/** `subject.id`, `subject.attributes.kyc_level`, `resource.owner_id` */
export const referenceSchema = z
  .string()
  .check(
    z.regex(
      /^(subject\.(id|person_id|actor|kind|tenant_id|roles|groups|attributes\.[a-z][a-z0-9_]*)|resource\.[a-z][a-z0-9_]*)$/,
      'a reference is subject.id, subject.person_id, subject.actor, subject.kind, subject.tenant_id, subject.roles, subject.groups, subject.attributes.<name> or resource.<attribute>',
    ),
  );

/** A reference used where a value is expected: `{ "ref": "subject.id" }`. */
export const refOperandSchema = z.strictObject({ ref: referenceSchema });

/**
 * A literal. Timestamps are written as ISO 8601 strings with a time zone and are
 * recognised by the type of the attribute they are compared with. There is no null
 * literal: `exists` asks whether a value is there.
 */
export const literalSchema = z.union([z.string().check(z.maxLength(1024)), z.number(), z.boolean()]);
export type Literal = z.infer<typeof literalSchema>;

export const operandSchema = z.union([literalSchema, refOperandSchema]);
export const listOperandSchema = z.union([z.array(literalSchema).check(z.maxLength(1000)), refOperandSchema]);

export type Condition =
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition }
  | { eq: [string, Operand] }
  | { ne: [string, Operand] }
  | { lt: [string, Operand] }
  | { lte: [string, Operand] }
  | { gt: [string, Operand] }
  | { gte: [string, Operand] }
  | { in: [string, ListOperand] }
  | { not_in: [string, ListOperand] }
  | { contains: [string, Operand] }
  | { exists: string };
export type Operand = z.infer<typeof operandSchema>;
export type ListOperand = z.infer<typeof listOperandSchema>;

const comparison = <K extends string>(key: K) =>
  z.strictObject({ [key]: z.tuple([referenceSchema, operandSchema]) } as Record<
    K,
    z.ZodMiniTuple<[typeof referenceSchema, typeof operandSchema]>
  >);
const listComparison = <K extends string>(key: K) =>
  z.strictObject({ [key]: z.tuple([referenceSchema, listOperandSchema]) } as Record<
    K,
    z.ZodMiniTuple<[typeof referenceSchema, typeof listOperandSchema]>
  >);

export const conditionSchema: z.ZodMiniType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ and: z.array(conditionSchema).check(z.minLength(1), z.maxLength(100)) }),
    z.strictObject({ or: z.array(conditionSchema).check(z.minLength(1), z.maxLength(100)) }),
    z.strictObject({ not: conditionSchema }),
    comparison('eq'),
    comparison('ne'),
    comparison('lt'),
    comparison('lte'),
    comparison('gt'),
    comparison('gte'),
    listComparison('in'),
    listComparison('not_in'),
    comparison('contains'),
    z.strictObject({ exists: referenceSchema }),
  ]),
) as z.ZodMiniType<Condition>;

export const resourceTypeSchema = z.strictObject({
  /** Which attribute holds the tenant id. Every decision on this type checks it. */
  tenant_attribute: identifierSchema,
  attributes: z.record(identifierSchema, attributeTypeSchema),
  description: z.optional(z.string().check(z.maxLength(500))),
});

export const grantSchema = z.strictObject({
  permissions: z.array(actionPatternSchema).check(z.maxLength(500)),
  description: z.optional(z.string().check(z.maxLength(500))),
});

export const ruleSchema = z.strictObject({
  /** Names the rule in explanations and audit records. Defaults to `rules[<index>]`. */
  id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  effect: z.enum(['allow', 'deny']),
  actions: z.array(actionPatternSchema).check(z.minLength(1), z.maxLength(100)),
  /**
   * The resource type the rule is about. A rule without one applies to every resource
   * type and to checks without a resource, so its condition may only use `subject.*`.
   */
  resource: z.optional(identifierSchema),
  /** No condition means the rule always applies (to its actions and resource type). */
  condition: z.optional(conditionSchema),
  description: z.optional(z.string().check(z.maxLength(500))),
});

/**
 * Where a subject attribute's value comes from, besides what Enforcer fills itself (`mfa_at`,
 * `mfa_age_seconds`): a top-level key of the account's `public_metadata`. Private metadata is never a
 * source: whatever decides lands in access tokens.
 */
export const subjectAttributeSourceSchema = z
  .string()
  .check(
    z.regex(
      /^public_metadata\.[a-z][a-z0-9_]{0,62}$/,
      'a source is public_metadata.<key>, the key lower_snake_case (private metadata is never a source)',
    ),
  );

/** A subject attribute: its type alone (`"number"`), or `{ type, from }` naming its source. */
export const subjectAttributeSchema = z.union([
  attributeTypeSchema,
  z.strictObject({ type: attributeTypeSchema, from: z.optional(subjectAttributeSourceSchema) }),
]);
export type SubjectAttributeDeclaration = z.infer<typeof subjectAttributeSchema>;

export const policyDocumentSchema = z.strictObject({
  version: z.literal(1),
  resources: z.record(identifierSchema, resourceTypeSchema),
  subject_attributes: z.optional(z.record(identifierSchema, subjectAttributeSchema)),
  roles: z.record(identifierSchema, grantSchema),
  groups: z.optional(z.record(identifierSchema, grantSchema)),
  rules: z.optional(z.array(ruleSchema).check(z.maxLength(1000))),
});

export type ResourceTypeDefinition = z.infer<typeof resourceTypeSchema>;
export type Grant = z.infer<typeof grantSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
