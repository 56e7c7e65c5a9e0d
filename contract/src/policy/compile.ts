import { actionMatches, firstMatchingPattern, grantingScope } from './actions';
import { type Decision, type Grants, generateDecision, nameIndex } from './codegen';
import { PolicyValidationError } from './errors';
import { type CompiledCondition, compileCondition, type Resource, type Subject } from './evaluate';
import { checkAction, checkResource, checkResourceType, checkSubject } from './input';
import { documentLimitIssues } from './limits';
import { and, not, or, partial, TRUE } from './partial';
import type { Plan, Residual } from './residual';
import type { PolicyDocument } from './schema';
import { type TypedPolicy, type TypedResource, type TypedRule, typePolicy, validatePolicy } from './validate';

/** Why a decision came out the way it did: for audit records, `POST /authorize` and debugging. */
export type Reason =
  | { kind: 'unknown_resource_type'; resource_type: string }
  | { kind: 'tenant_mismatch' }
  | { kind: 'denied_by_rule'; rule: string }
  | { kind: 'allowed_by_role'; role: string; permission: string }
  | { kind: 'allowed_by_group'; group: string; permission: string }
  /** A pattern the subject holds itself (an application's scope, #18). */
  | { kind: 'allowed_by_scope'; scope: string }
  | { kind: 'allowed_by_rule'; rule: string }
  | { kind: 'no_matching_allow' };

export interface Explanation {
  allowed: boolean;
  reason: Reason;
}

export interface CompiledPolicy {
  readonly document: PolicyDocument;
  /** May `subject` do `action` (to `resource`, when given)? */
  can(subject: Subject, action: string, resource?: Resource): boolean;
  /** The same decision as can(), and what decided it. */
  explain(subject: Subject, action: string, resource?: Resource): Explanation;
  /** The decision for every record of `resourceType` at once, as a plan for the adapters. */
  plan(subject: Subject, action: string, resourceType: string): Plan;
  /** The permission patterns the subject's roles, groups and own scopes grant (for `GET /auth/permissions`). */
  permissions(subject: Pick<Subject, 'roles' | 'groups' | 'scopes'>): string[];
}

interface CompiledRule {
  rule: TypedRule;
  test: CompiledCondition;
}

/** Everything that decides one action on one resource type (or on no resource), worked out once. */
interface ActionEntry {
  /** The action decided (a subject's own scopes are matched against it per decision). */
  action: string;
  resource: TypedResource | undefined;
  denies: CompiledRule[];
  allows: CompiledRule[];
  /** role name -> the first of its permissions that grants the action */
  grantingRoles: Map<string, string>;
  grantingGroups: Map<string, string>;
  /**
   * can()'s whole decision: one generated function (codegen.ts) where code generation is allowed,
   * the compiled closures otherwise.
   */
  decide: Decision;
}

export interface CompileOptions {
  /**
   * Generate one JavaScript function per (resource type, action) for can(); default true.
   * Falls back to closures by itself where code generation is not allowed (strict CSP).
   */
  codegen?: boolean;
}

// Actions come from callers (`POST /authorize`); past this many distinct ones per type
// entries are still computed but no longer kept, so the cache cannot grow without bound.
const maxCachedActions = 4096;

/**
 * Validates and compiles a policy document. Conditions become closures once; the rules
 * that concern an action on a resource type are looked up once per (type, action) and
 * cached, with the decision generated as one function (codegen.ts), so a check is two index
 * lookups and one call.
 */
export function compile(document: unknown, options: CompileOptions = {}): CompiledPolicy {
  return compileTyped(validatePolicy(document), options);
}

/**
 * Compiles a document a server has already validated (the browser SDK's `GET /auth/permissions`): the
 * same model and the same decisions as `compile`, without the shape check, which needs zod and is most of
 * what a browser would download for `can()`. The size limits and every check of meaning still run; a
 * document that is not well-formed throws (a caller that cannot compile answers no to everything).
 */
export function compileValidated(document: PolicyDocument, options: CompileOptions = {}): CompiledPolicy {
  const limitIssues = documentLimitIssues(document);
  if (limitIssues.length > 0) throw new PolicyValidationError(limitIssues);
  return compileTyped(typePolicy(document), options);
}

function compileTyped(policy: TypedPolicy, options: CompileOptions): CompiledPolicy {
  const codegen = options.codegen !== false;
  const compiledRules: CompiledRule[] = policy.rules.map((rule) => ({
    rule,
    test: compileCondition(rule.condition),
  }));
  const cache = new Map<string, Map<string, ActionEntry | null>>();
  // Checks without a resource have their own entries: no resource type, not even "", shares them.
  const withoutResource = new Map<string, ActionEntry>();

  /** The entry of a (type, action), built on first use; null for a type the document does not declare. */
  function cachedEntry(resourceType: string | undefined, action: string): ActionEntry | null {
    let byAction: Map<string, ActionEntry | null> | undefined;
    if (resourceType === undefined) byAction = withoutResource as Map<string, ActionEntry | null>;
    else {
      byAction = cache.get(resourceType);
      if (!byAction) {
        // Only declared types get a cache: callers choose the type, and must not grow it.
        if (!policy.resources.has(resourceType)) return null;
        byAction = new Map();
        cache.set(resourceType, byAction);
      }
    }
    let entry = byAction.get(action);
    if (entry === undefined) {
      entry = buildEntry(policy, compiledRules, resourceType, action, codegen);
      if (byAction.size < maxCachedActions) byAction.set(action, entry);
    }
    return entry;
  }

  // The way every decision finds its entry. The document's resource types and the action names it
  // spells out are known now, so they get indexes (generated switches, codegen.ts) into a table of
  // entries filled on first use from cachedEntry: a few pointer compares, where the two string-keyed
  // Map lookups of cachedEntry cost more than most decisions. Any other action (one only a wildcard
  // names) still goes through the maps. Either way the entry is cachedEntry's, so the answer is too.
  const typeNames = [...policy.resources.keys()];
  const actionNames = documentActions(policy);
  const typeIndex = nameIndex(typeNames, codegen);
  const actionIndex = nameIndex(actionNames, codegen);
  // One row per declared type (typeNames' order) and a last one for checks without a resource,
  // each made on first use.
  const withoutResourceRow = typeNames.length;
  const table = new Array<(ActionEntry | undefined)[] | undefined>(withoutResourceRow + 1).fill(undefined);

  // Kept small, with the rare cases in fillEntry: V8 inlines it into can(), and the whole hot path
  // is then two index switches and two array reads.
  function entryFor(resourceType: string | undefined, action: string): ActionEntry | null {
    const t = resourceType === undefined ? withoutResourceRow : typeIndex(resourceType);
    if (t === -1) return null; // not a type of the document: cachedEntry says null too
    const row = table[t];
    const a = actionIndex(action);
    const entry = row !== undefined && a !== -1 ? row[a] : undefined;
    return entry !== undefined ? entry : fillEntry(resourceType, action, t, a);
  }

  function fillEntry(
    resourceType: string | undefined,
    action: string,
    t: number,
    a: number,
  ): ActionEntry | null {
    const entry = cachedEntry(resourceType, action);
    if (entry !== null && a !== -1) {
      let row = table[t];
      if (row === undefined) {
        row = new Array<ActionEntry | undefined>(actionNames.length).fill(undefined);
        table[t] = row;
      }
      row[a] = entry;
    }
    return entry;
  }

  /** The entry for a decision, after the edge checks (input.ts) every path shares. */
  function decisionEntry(action: string, resource: Resource | undefined | null): ActionEntry | null {
    checkAction(action);
    if (resource === undefined || resource === null) return entryFor(undefined, action);
    checkResource(resource);
    return entryFor(resource.type, action);
  }

  function grant(entry: ActionEntry, subject: Subject): Reason | undefined {
    if (entry.grantingRoles.size > 0) {
      for (const role of subject.roles) {
        const permission = entry.grantingRoles.get(role);
        if (permission !== undefined) return { kind: 'allowed_by_role', role, permission };
      }
    }
    if (entry.grantingGroups.size > 0) {
      for (const group of subject.groups) {
        const permission = entry.grantingGroups.get(group);
        if (permission !== undefined) return { kind: 'allowed_by_group', group, permission };
      }
    }
    const scope = subject.scopes == null ? undefined : grantingScope(subject.scopes, entry.action);
    if (scope !== undefined) return { kind: 'allowed_by_scope', scope };
    return undefined;
  }

  function hasGrant(entry: ActionEntry, subject: Subject): boolean {
    return subjectHasGrant(entry.grantingRoles, entry.grantingGroups, entry.action, subject);
  }

  function inTenant(entry: ActionEntry, subject: Subject, resource: Resource): boolean {
    // The subject has a non-empty tenant id (checked by the caller), as in plan().
    return resource.attributes[entry.resource!.tenantAttribute] === subject.tenant_id;
  }

  return {
    document: policy.document,

    can(subject, action, resource) {
      const tenant = checkSubject(subject);
      const entry = decisionEntry(action, resource);
      // No tenant, no resource type of the document: allowed nothing.
      if (entry === null || !tenant) return false;
      return entry.decide(subject, resource ? resource.attributes : emptyRecord);
    },

    explain(subject, action, resource) {
      const tenant = checkSubject(subject);
      const entry = decisionEntry(action, resource);
      if (entry === null) {
        return {
          allowed: false,
          reason: { kind: 'unknown_resource_type', resource_type: resource ? resource.type : '' },
        };
      }
      if (!tenant) return { allowed: false, reason: { kind: 'tenant_mismatch' } };
      const attributes = resource ? resource.attributes : emptyRecord;
      if (resource && !inTenant(entry, subject, resource))
        return { allowed: false, reason: { kind: 'tenant_mismatch' } };
      for (const deny of entry.denies) {
        if (deny.test(subject, attributes))
          return { allowed: false, reason: { kind: 'denied_by_rule', rule: deny.rule.id } };
      }
      const granted = grant(entry, subject);
      if (granted) return { allowed: true, reason: granted };
      for (const allow of entry.allows) {
        if (allow.test(subject, attributes))
          return { allowed: true, reason: { kind: 'allowed_by_rule', rule: allow.rule.id } };
      }
      return { allowed: false, reason: { kind: 'no_matching_allow' } };
    },

    plan(subject, action, resourceType) {
      const hasTenant = checkSubject(subject);
      checkAction(action);
      checkResourceType(resourceType);
      const entry = entryFor(resourceType, action);
      const tenant = { attribute: entry?.resource?.tenantAttribute ?? 'tenant_id', value: subject.tenant_id };
      if (entry === null || !hasTenant) {
        return { resource_type: resourceType, tenant, decision: 'never' };
      }
      // allowed = tenant matches AND no deny applies AND (a grant OR an allow rule applies)
      const denied = or(entry.denies.map((d) => partial(d.rule.condition, subject)));
      const allowed = hasGrant(entry, subject)
        ? TRUE
        : or(entry.allows.map((a) => partial(a.rule.condition, subject)));
      const condition: Residual = and([not(denied), allowed]);
      if (condition.op === 'true') return { resource_type: resourceType, tenant, decision: 'always' };
      if (condition.op === 'false') return { resource_type: resourceType, tenant, decision: 'never' };
      return { resource_type: resourceType, tenant, decision: 'conditional', condition };
    },

    permissions(subject) {
      const out = new Set<string>();
      for (const role of Array.isArray(subject.roles) ? subject.roles : []) {
        for (const p of policy.roles.get(role) ?? []) out.add(p);
      }
      for (const group of Array.isArray(subject.groups) ? subject.groups : []) {
        for (const p of policy.groups.get(group) ?? []) out.add(p);
      }
      for (const p of Array.isArray(subject.scopes) ? subject.scopes : []) {
        if (typeof p === 'string') out.add(p);
      }
      return [...out].sort();
    },
  };
}

const emptyRecord = Object.freeze({}) as Readonly<Record<string, unknown>>;

function buildEntry(
  policy: TypedPolicy,
  rules: CompiledRule[],
  resourceType: string | undefined,
  action: string,
  codegen: boolean,
): ActionEntry | null {
  let resource: TypedResource | undefined;
  if (resourceType !== undefined) {
    resource = policy.resources.get(resourceType);
    if (!resource) return null;
  }
  const applies = (r: CompiledRule) =>
    (r.rule.resource === undefined || r.rule.resource === resourceType) &&
    r.rule.actions.some((p) => actionMatches(p, action));
  const relevant = rules.filter(applies);
  const granting = (grants: Map<string, string[]>) => {
    const out = new Map<string, string>();
    for (const [name, patterns] of grants) {
      const p = firstMatchingPattern(patterns, action);
      if (p !== undefined) out.set(name, p);
    }
    return out;
  };
  const denies = relevant.filter((r) => r.rule.effect === 'deny');
  const allows = relevant.filter((r) => r.rule.effect === 'allow');
  const grantingRoles = granting(policy.roles);
  const grantingGroups = granting(policy.groups);
  const grants: Grants = { action, roles: [...grantingRoles.keys()], groups: [...grantingGroups.keys()] };
  const tenantAttribute = resource?.tenantAttribute;
  const decide =
    (codegen &&
      generateDecision(
        tenantAttribute,
        grants,
        allows.map((a) => a.rule.condition),
        denies.map((d) => d.rule.condition),
      )) ||
    closureDecision(tenantAttribute, grantingRoles, grantingGroups, action, allows, denies);
  return { action, resource, denies, allows, grantingRoles, grantingGroups, decide };
}

/** can()'s decision from the compiled closures: without code generation, or where it is not allowed. */
function closureDecision(
  tenantAttribute: string | undefined,
  grantingRoles: Map<string, string>,
  grantingGroups: Map<string, string>,
  action: string,
  allows: CompiledRule[],
  denies: CompiledRule[],
): Decision {
  return (subject, attributes) => {
    // The subject has a non-empty tenant id (can() checked), as in plan().
    if (tenantAttribute !== undefined && attributes[tenantAttribute] !== subject.tenant_id) return false;
    // allowed = some grant or allow rule applies AND no deny rule applies. The order of
    // evaluation does not change the answer, so look for an allow first: most denied
    // requests then never evaluate a deny rule. (explain() reports denies first.)
    let allowed = subjectHasGrant(grantingRoles, grantingGroups, action, subject);
    if (!allowed) {
      for (const allow of allows) {
        if (allow.test(subject, attributes)) {
          allowed = true;
          break;
        }
      }
      if (!allowed) return false;
    }
    for (const deny of denies) if (deny.test(subject, attributes)) return false;
    return true;
  };
}

/** Every action name the document spells out (rule actions, role and group permissions), once each. */
function documentActions(policy: TypedPolicy): string[] {
  const names = new Set<string>();
  for (const rule of policy.rules) for (const action of rule.actions) names.add(action);
  for (const grants of [policy.roles, policy.groups])
    for (const permissions of grants.values()) for (const p of permissions) names.add(p);
  return [...names];
}

/** Whether a role, a group or an own scope of the subject grants the action (checkSubject ran). */
function subjectHasGrant(
  roles: Map<string, string>,
  groups: Map<string, string>,
  action: string,
  subject: Subject,
): boolean {
  if (roles.size > 0) {
    for (const role of subject.roles) if (roles.has(role)) return true;
  }
  if (groups.size > 0) {
    for (const group of subject.groups) if (groups.has(group)) return true;
  }
  return subject.scopes != null && grantingScope(subject.scopes, action) !== undefined;
}
