import {
  type CompiledPolicy,
  compile,
  type PolicyDocument,
  type Resource,
  type Subject,
  toPredicate,
} from '@enforcer/contract/policy';

/**
 * Before anything is timed, Enforcer's engine and the Cerbos PDP answer the same questions and
 * must give the same answers:
 *
 * - decisions: every subject below × every record × every action, Enforcer's `can()` beside
 *   Cerbos's `CheckResources` (one request per subject, every record and action in it);
 * - plans: every subject × every action on the resource type, Enforcer's `plan()` beside Cerbos's
 *   `PlanResources` (the subject's tenant given as the resource's one known attribute, as
 *   Enforcer's plans are always limited to the subject's tenant): the same kind (always /
 *   never / conditional), and for a conditional plan, the same verdict on every record of the
 *   subject's tenant (Enforcer's plan through `toPredicate`, Cerbos's condition evaluated here).
 */

export const TENANT = 'tenant-a';
const OTHER_TENANT = 'tenant-b';

/** Subjects of several roles, in and out of the verified group and the tenant. */
export const subjects: Subject[] = [
  { id: 'owner-1', person_id: 'p-owner', tenant_id: TENANT, roles: ['owner'], groups: [], attributes: {} },
  { id: 'admin-1', person_id: 'p-admin', tenant_id: TENANT, roles: ['admin'], groups: [], attributes: {} },
  {
    id: 'member-1',
    person_id: 'p-member-1',
    tenant_id: TENANT,
    roles: ['member'],
    groups: ['verified'],
    attributes: {},
  },
  {
    id: 'member-2',
    person_id: 'p-member-2',
    tenant_id: TENANT,
    roles: ['member'],
    groups: [],
    attributes: {},
  },
  { id: 'nobody-1', person_id: 'p-nobody', tenant_id: TENANT, roles: [], groups: [], attributes: {} },
  {
    id: 'admin-b',
    person_id: 'p-admin-b',
    tenant_id: OTHER_TENANT,
    roles: ['admin'],
    groups: ['verified'],
    attributes: {},
  },
  {
    id: 'member-b',
    person_id: 'p-member-b',
    tenant_id: OTHER_TENANT,
    roles: ['member'],
    groups: [],
    attributes: {},
  },
];

const account = (id: string, tenant: string, role: string, active: boolean) => ({
  id,
  tenant_id: tenant,
  person_id: `p-${id}`,
  role,
  active,
  created_at: '2026-11-01T00:00:00.000Z',
});

/** Account records: the subjects' own, another active one, an inactive one, one in the other tenant. */
export const records: Record<string, unknown>[] = [
  account('member-1', TENANT, 'member', true),
  account('member-2', TENANT, 'member', true),
  account('admin-1', TENANT, 'admin', true),
  account('dormant-1', TENANT, 'member', false),
  account('member-b', OTHER_TENANT, 'member', true),
  account('dormant-b', OTHER_TENANT, 'member', false),
];

/** Actions granted by roles, by a group, by patterns, by a rule, refused by a rule, and unknown. */
export const actions = [
  'accounts.read',
  'accounts.role.update',
  'accounts.impersonate',
  'accounts.delete',
  'transfers.create',
  'transfers.approve.large',
  'groups.members.write',
  'tenants.read',
  'roles.read',
  'policy.update',
  'api_keys.delete',
  'reports.export',
];

export function cerbosPrincipal(s: Subject) {
  return {
    id: s.id,
    roles: s.roles.length > 0 ? s.roles : ['none'], // Cerbos requires a role; `none` grants nothing
    attr: { tenant_id: s.tenant_id, person_id: s.person_id ?? null, groups: s.groups },
  };
}

async function post(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${text}`);
  return JSON.parse(text);
}

type CerbosExpr =
  | { expression: { operator: string; operands: CerbosExpr[] } }
  | { variable: string }
  | { value: unknown };

/** Cerbos's plan condition on one record: the operators the translated policy can produce, no others. */
function evaluate(e: CerbosExpr, record: Record<string, unknown>): unknown {
  if ('value' in e) return e.value;
  if ('variable' in e) {
    const prefix = 'request.resource.attr.';
    if (!e.variable.startsWith(prefix)) throw new Error(`unexpected variable ${e.variable} in a Cerbos plan`);
    return record[e.variable.slice(prefix.length)] ?? null;
  }
  const { operator, operands } = e.expression;
  const args = () => operands.map((o) => evaluate(o, record));
  switch (operator) {
    case 'and':
      return operands.every((o) => evaluate(o, record) === true);
    case 'or':
      return operands.some((o) => evaluate(o, record) === true);
    case 'not':
      return evaluate(operands[0]!, record) !== true;
    case 'eq': {
      const [a, b] = args();
      return a === b;
    }
    case 'ne': {
      const [a, b] = args();
      return a !== b;
    }
    default:
      throw new Error(
        `operator ${operator} in a Cerbos plan: teach test/bench/cerbos/agreement.ts to evaluate it`,
      );
  }
}

const cerbosKind = {
  KIND_ALWAYS_ALLOWED: 'always',
  KIND_ALWAYS_DENIED: 'never',
  KIND_CONDITIONAL: 'conditional',
};

export interface Agreement {
  /** Decisions compared (subject × record × action). */
  decisions: number;
  allowed: number;
  /** Plans compared (subject × action), and of those, conditional ones whose verdicts on records were compared. */
  plans: number;
  conditionalPlans: number;
}

/** Throws, listing the first differences, unless both engines agree on every question. */
export async function checkAgreement(
  document: PolicyDocument,
  resourceType: string,
  cerbosUrl: string,
): Promise<Agreement> {
  const engine: CompiledPolicy = compile(document);
  const differences: string[] = [];
  let decisions = 0;
  let allowed = 0;
  for (const subject of subjects) {
    const answer = (await post(`${cerbosUrl}/api/check/resources`, {
      requestId: `agree-${subject.id}`,
      principal: cerbosPrincipal(subject),
      resources: records.map((attr) => ({
        actions,
        resource: { kind: resourceType, id: attr.id, attr },
      })),
    })) as { results: { resource: { id: string }; actions: Record<string, string> }[] };
    for (const [i, attributes] of records.entries()) {
      const result = answer.results[i];
      if (!result || result.resource.id !== attributes.id)
        throw new Error('Cerbos answered for other resources than asked');
      const resource: Resource = { type: resourceType, attributes };
      for (const action of actions) {
        const ours = engine.can(subject, action, resource);
        const theirs = result.actions[action];
        decisions++;
        if (ours) allowed++;
        if (theirs !== (ours ? 'EFFECT_ALLOW' : 'EFFECT_DENY'))
          differences.push(
            `${subject.id} ${action} on ${String(attributes.id)}: Enforcer ${ours ? 'allows' : 'denies'}, Cerbos ${theirs}`,
          );
      }
    }
  }

  let plans = 0;
  let conditionalPlans = 0;
  for (const subject of subjects) {
    for (const action of actions) {
      const ours = engine.plan(subject, action, resourceType);
      const answer = (await post(`${cerbosUrl}/api/plan/resources`, {
        requestId: `agree-plan-${subject.id}`,
        action,
        principal: cerbosPrincipal(subject),
        resource: { kind: resourceType, attr: { tenant_id: subject.tenant_id } },
      })) as { filter: { kind: keyof typeof cerbosKind; condition?: CerbosExpr } };
      plans++;
      const theirs = cerbosKind[answer.filter.kind];
      const where = `plan for ${subject.id} ${action}`;
      if (theirs !== ours.decision) {
        differences.push(`${where}: Enforcer ${ours.decision}, Cerbos ${answer.filter.kind}`);
        continue;
      }
      if (ours.decision !== 'conditional') continue;
      conditionalPlans++;
      const predicate = toPredicate(ours);
      for (const record of records.filter((r) => r.tenant_id === subject.tenant_id)) {
        const a = predicate(record);
        const b = evaluate(answer.filter.condition!, record) === true;
        if (a !== b)
          differences.push(
            `${where} on ${String(record.id)}: Enforcer's plan ${a ? 'includes' : 'excludes'} it, Cerbos's ${b ? 'includes' : 'excludes'} it`,
          );
      }
    }
  }
  if (differences.length > 0)
    throw new Error(
      `Enforcer and Cerbos disagree (${differences.length}): the policies are not equivalent, nothing was timed.\n${differences.slice(0, 20).join('\n')}`,
    );
  if (allowed === 0 || allowed === decisions || conditionalPlans === 0)
    throw new Error('the agreement cases do not cover allowed, denied and conditional answers');
  return { decisions, allowed, plans, conditionalPlans };
}
