/**
 * @enforcer/contract/policy: the one policy engine. Pure TypeScript, no I/O; the same
 * code runs in the server, the browser SDK and the Node verifier.
 */
export { actionMatches } from './actions';
export {
  type MikroOrmField,
  type MikroOrmFields,
  type MikroOrmFilter,
  toMikroOrm,
} from './adapters/mikro-orm';
export { type RecordPredicate, toPredicate } from './adapters/predicate';
export { type SqlColumn, type SqlColumns, type SqlFragment, type ToSqlOptions, toSql } from './adapters/sql';
export { type CompiledPolicy, compile, compileValidated, type Explanation, type Reason } from './compile';
export {
  formatPath,
  type PlanConversionCode,
  PlanConversionError,
  type PolicyInputCode,
  PolicyInputError,
  type PolicyIssue,
  PolicyValidationError,
} from './errors';
export type { Resource, Subject, SubjectKind } from './evaluate';
export { subjectKindOf, subjectKinds } from './evaluate';
export { documentLimitIssues, documentLimits } from './limits';
export { type Plan, planSchema, type Residual, residualSchema } from './residual';
export {
  type AttributeType,
  type Condition,
  type PolicyDocument,
  policyDocumentSchema,
  type Rule,
} from './schema';
export {
  type Action,
  type ActionCatalogue,
  type ActionCatalogueIssues,
  type ActionsOf,
  actionCatalogueIssues,
  defineActions,
  type Register,
} from './typed-actions';
export { validatePolicy } from './validate';
