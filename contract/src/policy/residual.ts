import * as z from 'zod';

/**
 * A plan is what `plan(subject, action, resourceType)` returns: the decision for every
 * record of one resource type, with everything about the subject already worked out.
 * What is left (the residual) only mentions the record's own attributes. Plans are plain
 * JSON so that they can cross the wire (`POST /authorize/filter`) and be turned into a
 * predicate, SQL or a MikroORM filter anywhere.
 */

/** Scalar types a residual compares. Timestamps travel as epoch milliseconds. */
export const scalarTypeSchema = z.enum(['string', 'number', 'boolean', 'timestamp']);
export type ScalarType = z.infer<typeof scalarTypeSchema>;

export const comparisonOpSchema = z.enum(['eq', 'lt', 'lte', 'gt', 'gte']);
export type ComparisonOp = z.infer<typeof comparisonOpSchema>;

const attr = z.string().regex(/^[a-z][a-z0-9_]*$/);
const scalar = z.union([z.string(), z.number().finite(), z.boolean()]);

export type Residual =
  | { op: 'true' }
  | { op: 'false' }
  | { op: 'and'; args: Residual[] }
  | { op: 'or'; args: Residual[] }
  | { op: 'not'; arg: Residual }
  /** attr <op> value; false when the attribute is null. */
  | { op: ComparisonOp; attr: string; type: ScalarType; value: string | number | boolean }
  /** attr <op> other attr of the same record; false when either is null. */
  | { op: 'cmp_attr'; cmp: ComparisonOp; attr: string; other: string; type: ScalarType }
  /** attr is one of values (values never empty; the empty case is folded to false). */
  | { op: 'in'; attr: string; type: ScalarType; values: (string | number | boolean)[] }
  /** the string-array attribute holds value. */
  | { op: 'contains'; attr: string; value: string }
  /** the attribute is not null (read as its declared type: a value of another type is null). */
  | { op: 'exists'; attr: string; type: ScalarType | 'string[]' };

export const residualSchema: z.ZodType<Residual> = z.lazy(() =>
  z.union([
    z.strictObject({ op: z.literal('true') }),
    z.strictObject({ op: z.literal('false') }),
    z.strictObject({ op: z.literal('and'), args: z.array(residualSchema).min(1) }),
    z.strictObject({ op: z.literal('or'), args: z.array(residualSchema).min(1) }),
    z.strictObject({ op: z.literal('not'), arg: residualSchema }),
    z.strictObject({ op: comparisonOpSchema, attr, type: scalarTypeSchema, value: scalar }),
    z.strictObject({
      op: z.literal('cmp_attr'),
      cmp: comparisonOpSchema,
      attr,
      other: attr,
      type: scalarTypeSchema,
    }),
    z.strictObject({ op: z.literal('in'), attr, type: scalarTypeSchema, values: z.array(scalar).min(1) }),
    z.strictObject({ op: z.literal('contains'), attr, value: z.string() }),
    z.strictObject({
      op: z.literal('exists'),
      attr,
      type: z.enum([...scalarTypeSchema.options, 'string[]']),
    }),
  ]),
) as z.ZodType<Residual>;

export const planSchema = z.strictObject({
  resource_type: z.string(),
  /**
   * Every plan is limited to the subject's tenant: adapters always emit
   * `<tenant attribute> = <tenant id>`, so a caller cannot forget it.
   */
  tenant: z.strictObject({ attribute: attr, value: z.string() }),
  /** always: every record of the tenant; never: none; conditional: those matching `condition`. */
  decision: z.enum(['always', 'never', 'conditional']),
  condition: residualSchema.optional(),
});
export type Plan = z.infer<typeof planSchema>;
