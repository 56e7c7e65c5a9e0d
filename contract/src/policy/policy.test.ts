import { describe, expect, it } from 'vitest';
import { bankingPolicy } from './fixtures/banking';
import {
  compile,
  compileValidated,
  PlanConversionError,
  type PolicyDocument,
  PolicyValidationError,
  type Subject,
  toMikroOrm,
  toPredicate,
  toSql,
} from './index';

const T1 = 'tenant-1';
const T2 = 'tenant-2';
const alice: Subject = { id: 'alice', person_id: 'p-alice', tenant_id: T1, roles: ['member'], groups: [] };
const admin: Subject = { id: 'adam', tenant_id: T1, roles: ['admin'], groups: [] };
const account = (attrs: Record<string, unknown>) => ({
  type: 'account',
  attributes: { tenant_id: T1, ...attrs },
});

const policy = compile(bankingPolicy);

function invalid(doc: unknown): PolicyValidationError {
  try {
    compile(doc);
  } catch (e) {
    if (e instanceof PolicyValidationError) return e;
    throw e;
  }
  throw new Error('expected the document to be rejected');
}

const withRules = (rules: PolicyDocument['rules'], extra: Partial<PolicyDocument> = {}): PolicyDocument => ({
  ...bankingPolicy,
  ...extra,
  rules,
});

describe('validation names the path of every problem', () => {
  it('rejects an unknown resource attribute', () => {
    const e = invalid(
      withRules([
        {
          effect: 'allow',
          actions: ['accounts.read'],
          resource: 'account',
          condition: { eq: ['resource.stauts', 'x'] },
        },
      ]),
    );
    expect(e.issues).toEqual([
      {
        path: ['rules', 0, 'condition', 'eq', 0],
        message: 'unknown attribute "stauts" on resource type "account"',
      },
    ]);
    expect(e.message).toContain('rules[0].condition.eq[0]');
  });

  it('rejects unknown roles, groups, resource types and subject attributes', () => {
    const e = invalid(
      withRules([
        { effect: 'allow', actions: ['a.b'], condition: { contains: ['subject.roles', 'superuser'] } },
        { effect: 'allow', actions: ['a.b'], condition: { contains: ['subject.groups', 'verifed'] } },
        { effect: 'allow', actions: ['a.b'], resource: 'invoice' },
        { effect: 'allow', actions: ['a.b'], condition: { exists: 'subject.attributes.nope' } },
      ]),
    );
    expect(e.issues.map((i) => [i.path.join('/'), i.message])).toEqual([
      ['rules/0/condition/contains/1', 'unknown role "superuser"'],
      ['rules/1/condition/contains/1', 'unknown group "verifed"'],
      ['rules/2/resource', 'unknown resource type "invoice"'],
      ['rules/3/condition/exists', 'unknown subject attribute "nope" (declare it in subject_attributes)'],
    ]);
  });

  it('rejects comparisons of different types', () => {
    const e = invalid(
      withRules([
        {
          effect: 'allow',
          actions: ['a.b'],
          resource: 'account',
          condition: { eq: ['resource.balance', '10'] },
        },
        {
          effect: 'allow',
          actions: ['a.b'],
          resource: 'account',
          condition: { eq: ['resource.status', { ref: 'resource.balance' }] },
        },
        {
          effect: 'allow',
          actions: ['a.b'],
          resource: 'account',
          condition: { lt: ['resource.status', 'b'] },
        },
        {
          effect: 'allow',
          actions: ['a.b'],
          resource: 'account',
          condition: { eq: ['resource.tags', 'vip'] },
        },
        {
          effect: 'allow',
          actions: ['a.b'],
          resource: 'account',
          condition: { gt: ['resource.opened_at', 'yesterday'] },
        },
        {
          effect: 'allow',
          actions: ['a.b'],
          resource: 'account',
          condition: { in: ['resource.balance', [1, 'two']] },
        },
      ]),
    );
    expect(e.issues.map((i) => i.path.join('/'))).toEqual([
      'rules/0/condition/eq/1',
      'rules/1/condition/eq/1',
      'rules/2/condition/lt/0',
      'rules/3/condition/eq/0',
      'rules/4/condition/gt/1',
      'rules/5/condition/in/1/1',
    ]);
    expect(e.issues[0]!.message).toBe('cannot compare number with string "10"');
  });

  it('rejects resource references in rules without a resource type, and bad shapes', () => {
    const e = invalid(
      withRules([{ effect: 'allow', actions: ['a.b'], condition: { exists: 'resource.status' } }]),
    );
    expect(e.issues[0]!.message).toContain('needs the rule to name a resource type');
    const shape = invalid({ ...bankingPolicy, rules: [{ effect: 'maybe', actions: ['a.b'] }] });
    expect(shape.issues[0]!.path).toEqual(['rules', 0, 'effect']);
    const tenantAttr = invalid({
      ...bankingPolicy,
      resources: { thing: { tenant_attribute: 'org', attributes: { org: 'number' } } },
      rules: [],
    });
    expect(tenantAttr.issues[0]!.path).toEqual(['resources', 'thing', 'tenant_attribute']);
  });

  it('rejects timestamps more precise than a millisecond (JS cannot hold them)', () => {
    const e = invalid(
      withRules([
        {
          effect: 'allow',
          actions: ['a.b'],
          resource: 'account',
          condition: { gt: ['resource.opened_at', '2024-01-01T00:00:00.0001Z'] },
        },
      ]),
    );
    expect(e.issues[0]!.message).toContain('at most millisecond precision');
  });
});

describe('can()', () => {
  it('lets owners read their own account and nobody else in the tenant', () => {
    expect(policy.can(alice, 'accounts.read', account({ owner_id: 'alice', status: 'open' }))).toBe(true);
    expect(policy.can(alice, 'accounts.read', account({ owner_id: 'bob', status: 'open' }))).toBe(false);
  });

  it('never allows a record of another tenant, whatever the role', () => {
    const owner: Subject = { id: 'o', tenant_id: T1, roles: ['owner'], groups: [] };
    const foreign = { type: 'account', attributes: { tenant_id: T2, owner_id: 'o' } };
    expect(policy.can(owner, 'accounts.read', foreign)).toBe(false);
    expect(policy.explain(owner, 'accounts.read', foreign).reason).toEqual({ kind: 'tenant_mismatch' });
    expect(
      policy.can({ ...owner, tenant_id: '' }, 'accounts.read', {
        type: 'account',
        attributes: { tenant_id: '' },
      }),
    ).toBe(false);
  });

  it('lets deny override every allow, including the owner role', () => {
    const owner: Subject = { id: 'o', tenant_id: T1, roles: ['owner'], groups: [] };
    expect(policy.can(owner, 'accounts.update', account({ frozen: false }))).toBe(true);
    expect(policy.explain(owner, 'accounts.update', account({ frozen: true }))).toEqual({
      allowed: false,
      reason: { kind: 'denied_by_rule', rule: 'frozen-accounts-are-read-only' },
    });
  });

  it('gates on a group: joining verified flips transfers.create', () => {
    const mfa = { mfa_at: new Date().toISOString() };
    const notVerified = { ...alice, attributes: mfa };
    expect(policy.can(notVerified, 'transfers.create')).toBe(false);
    const verified = { ...notVerified, groups: ['verified'] };
    expect(policy.explain(verified, 'transfers.create')).toEqual({
      allowed: true,
      reason: { kind: 'allowed_by_group', group: 'verified', permission: 'transfers.create' },
    });
    // the resource-less deny rule applies without a resource too
    expect(policy.can({ ...verified, attributes: {} }, 'transfers.create')).toBe(false);
  });

  it('matches wildcards by prefix and * for everything', () => {
    expect(policy.can(admin, 'accounts.notes.read', account({}))).toBe(true);
    expect(policy.explain(admin, 'accounts.close', account({})).reason).toEqual({
      kind: 'allowed_by_role',
      role: 'admin',
      permission: 'accounts.*',
    });
    expect(policy.can(admin, 'accounting.read', account({}))).toBe(false);
    expect(policy.can({ ...admin, roles: ['owner'] }, 'anything.at.all')).toBe(true);
  });

  it('reads a missing or wrongly typed attribute as null', () => {
    // ne is `not eq`: a document with no `archived` is not archived
    const doc = { type: 'document', attributes: { tenant_id: T1, visibility: 'public' } };
    expect(policy.can(alice, 'documents.read', doc)).toBe(true);
    const wrongType = {
      type: 'document',
      attributes: { tenant_id: T1, visibility: 'public', archived: 'true' },
    };
    expect(policy.can(alice, 'documents.read', wrongType)).toBe(true);
    // lt with null is false: a transfer without created_at is not "old"
    const t = { type: 'transfer', attributes: { tenant_id: T1 } };
    expect(policy.can(admin, 'transfers.update', t)).toBe(false);
  });

  it('answers false for unknown resource types and unknown actions', () => {
    expect(
      policy.explain(admin, 'accounts.read', { type: 'invoice', attributes: { tenant_id: T1 } }).reason,
    ).toEqual({
      kind: 'unknown_resource_type',
      resource_type: 'invoice',
    });
    expect(policy.can(alice, 'never.heard.of', account({ owner_id: 'alice' }))).toBe(false);
  });

  it('lists the permissions a subject holds', () => {
    expect(policy.permissions({ roles: ['member'], groups: ['verified'] })).toEqual([
      'profile.read',
      'profile.update',
      'transfers.create',
    ]);
  });
});

describe('plan()', () => {
  it('is always (within the tenant) for a role that grants the action and no deny applies', () => {
    const p = policy.plan({ ...admin, roles: ['auditor'] }, 'transfers.read', 'transfer');
    expect(p).toEqual({
      resource_type: 'transfer',
      tenant: { attribute: 'tenant_id', value: T1 },
      decision: 'always',
    });
    expect(toSql(p, { tenant_id: 't.tenant_id' })).toEqual({
      text: '"t"."tenant_id" = $1::text',
      values: [T1],
    });
  });

  it('is never for a subject with no way in, and for unknown types', () => {
    expect(policy.plan(alice, 'transfers.approve', 'transfer').decision).toBe('conditional');
    expect(policy.plan(alice, 'accounts.delete', 'account').decision).toBe('never');
    expect(policy.plan(alice, 'accounts.read', 'invoice').decision).toBe('never');
    expect(toSql(policy.plan(alice, 'accounts.delete', 'account'), { tenant_id: 'tenant_id' })).toEqual({
      text: 'FALSE',
      values: [],
    });
  });

  it('leaves only resource attributes in the residual, with subject values filled in', () => {
    const p = policy.plan(alice, 'accounts.read', 'account');
    expect(p.decision).toBe('conditional');
    expect(JSON.stringify(p.condition)).not.toContain('subject');
    expect(p.condition).toEqual({
      op: 'and',
      args: [
        {
          op: 'not',
          arg: {
            op: 'or',
            args: [
              { op: 'eq', attr: 'status', type: 'string', value: 'closed' },
              // kyc_level is null for alice, so `not (kyc >= 2)` is true and the deny needs only the tag
              { op: 'contains', attr: 'tags', value: 'vip' },
            ],
          },
        },
        { op: 'eq', attr: 'owner_id', type: 'string', value: 'alice' },
      ],
    });
  });
});

describe('adapters', () => {
  const columns = { tenant_id: 'tenant_id', owner_id: 'owner_id', status: 'status', tags: 'tags' };

  it('renders SQL with every value a parameter and NULLs spelled out', () => {
    const sql = toSql(policy.plan(alice, 'accounts.read', 'account'), columns);
    expect(sql.text).toBe(
      '("tenant_id" = $1::text AND (("status" <> $2::text OR "status" IS NULL) AND ("tags" IS NULL OR NOT ("tags" @> ARRAY[$3::text])) AND "owner_id" = $4::text))',
    );
    expect(sql.values).toEqual([T1, 'closed', 'vip', 'alice']);
  });

  it('never puts a value from the document or the subject into the SQL text', () => {
    const evil = "x'); DROP TABLE accounts; --";
    const p = policy.plan({ ...alice, id: evil, tenant_id: evil }, 'accounts.read', 'account');
    const sql = toSql(p, columns, { paramOffset: 3 });
    expect(sql.text).not.toContain('DROP');
    expect(sql.text.startsWith('("tenant_id" = $4::text')).toBe(true);
    expect(sql.values).toContain(evil);
  });

  it('refuses attributes without a column and columns that are not identifiers', () => {
    const p = policy.plan(alice, 'accounts.read', 'account');
    expect(() => toSql(p, { tenant_id: 'tenant_id' })).toThrow(PlanConversionError);
    expect(() => toSql(p, { ...columns, status: 'status; drop table x' })).toThrow(/not a plain identifier/);
    expect(() => toMikroOrm(p, { tenant_id: 'tenantId' })).toThrow(/no property/);
  });

  it('folds values a uuid column can never hold instead of sending them to PostgreSQL', () => {
    const p = policy.plan(alice, 'accounts.read', 'account');
    const sql = toSql(p, { ...columns, owner_id: { column: 'owner_id', type: 'uuid' } });
    expect(sql).toEqual({ text: 'FALSE', values: [] });
  });

  it('refuses, in MikroORM, a comparison of two attributes (never approximates)', () => {
    const doc = withRules([
      {
        effect: 'allow',
        actions: ['transfers.read'],
        resource: 'transfer',
        condition: { ne: ['resource.created_by', { ref: 'resource.approver_id' }] },
      },
    ]);
    const p = compile(doc).plan(alice, 'transfers.read', 'transfer');
    const fields = { tenant_id: 'tenantId', created_by: 'createdBy', approver_id: 'approverId' };
    expect(() => toMikroOrm(p, fields)).toThrow(PlanConversionError);
    expect(toSql(p, fields).text).toBe(
      '("tenantId" = $1::text AND ("createdBy" <> "approverId" OR "createdBy" IS NULL OR "approverId" IS NULL))',
    );
  });

  it('builds a MikroORM filter with the tenant condition first', () => {
    const p = policy.plan(alice, 'accounts.read', 'account');
    expect(toMikroOrm(p, { tenant_id: 'tenant', owner_id: 'owner', status: 'status', tags: 'tags' })).toEqual(
      {
        $and: [
          { tenant: T1 },
          {
            $and: [
              { $or: [{ status: { $ne: 'closed' } }, { status: null }] },
              { $or: [{ tags: null }, { $not: { tags: { $contains: '{"vip"}' } } }] },
              { owner: { $eq: 'alice' } },
            ],
          },
        ],
      },
    );
  });

  it('gives a predicate that agrees with can() on a few hand-picked records', () => {
    const p = toPredicate(policy.plan(alice, 'accounts.read', 'account'));
    const records = [
      { tenant_id: T1, owner_id: 'alice', status: 'open' },
      { tenant_id: T1, owner_id: 'alice', status: 'closed' },
      { tenant_id: T1, owner_id: 'alice', tags: ['vip'] },
      { tenant_id: T2, owner_id: 'alice' },
      { tenant_id: T1, owner_id: 'bob' },
    ];
    expect(records.map(p)).toEqual([true, false, false, false, false]);
    expect(
      records.map((r) => policy.can(alice, 'accounts.read', { type: 'account', attributes: r })),
    ).toEqual([true, false, false, false, false]);
  });
});

describe('compileValidated (the browser: a document the server validated, no zod)', () => {
  it('decides as compile() does', () => {
    const browser = compileValidated(bankingPolicy);
    const member = { ...alice, groups: ['verified'] };
    for (const subject of [alice, admin, member]) {
      for (const action of ['accounts.read', 'transfers.create', 'accounts.update', 'nothing.at_all']) {
        for (const resource of [account({ owner_id: 'alice' }), account({ owner_id: 'bob' }), undefined]) {
          expect(browser.can(subject, action, resource), `${subject.id} ${action}`).toBe(
            policy.can(subject, action, resource),
          );
        }
      }
    }
  });

  it('still refuses a document that means nothing (an unknown attribute), and one too deep', () => {
    const unknownAttribute = withRules([
      {
        effect: 'allow',
        actions: ['accounts.read'],
        resource: 'account',
        condition: { eq: ['resource.nope', 1] },
      },
    ]);
    expect(() => compileValidated(unknownAttribute)).toThrow(PolicyValidationError);
    let deep: unknown = { eq: ['subject.id', 'x'] };
    for (let i = 0; i < 200; i++) deep = { not: deep };
    const tooDeep = withRules([{ effect: 'allow', actions: ['accounts.read'], condition: deep as never }]);
    expect(() => compileValidated(tooDeep)).toThrow(PolicyValidationError);
  });

  it('throws on a document of the wrong shape instead of deciding anything', () => {
    expect(() => compileValidated({ version: 1, resources: null, roles: {} } as never)).toThrow();
  });
});

describe('generated code (codegen.ts) decides as the closures do', () => {
  // The consistency suite compares both paths on generated documents; these cases sit past the
  // limits where the generated code changes form, which its generators do not reach.
  type Compiler = (doc: PolicyDocument, options: { codegen: boolean }) => ReturnType<typeof compile>;
  const both = (doc: PolicyDocument, compileWith: Compiler = compile) => ({
    generated: compileWith(doc, { codegen: true }),
    closures: compileWith(doc, { codegen: false }),
  });
  const agree = (
    p: ReturnType<typeof both>,
    subject: Subject,
    action: string,
    resource?: { type: string; attributes: Record<string, unknown> },
  ) => {
    const answer = p.closures.can(subject, action, resource);
    expect(p.generated.can(subject, action, resource), `${action} ${JSON.stringify(resource)}`).toBe(answer);
    expect(p.generated.explain(subject, action, resource).allowed).toBe(answer);
    return answer;
  };

  it('past eight granting roles and eight listed values (a Set, indexOf), and for unlisted actions', () => {
    const roleNames = Array.from({ length: 12 }, (_, i) => `role_${i}`);
    const states = Array.from({ length: 12 }, (_, i) => `state_${i}`);
    const doc: PolicyDocument = {
      ...bankingPolicy,
      roles: Object.fromEntries(roleNames.map((r) => [r, { permissions: ['accounts.*'] }])),
      rules: [
        {
          id: 'listed-states',
          effect: 'allow',
          actions: ['transfers.read'],
          resource: 'transfer',
          condition: { in: ['resource.state', states] },
        },
        {
          id: 'not-listed-amounts',
          effect: 'deny',
          actions: ['transfers.read'],
          resource: 'transfer',
          condition: { in: ['resource.amount', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]] },
        },
      ],
    };
    const p = both(doc);
    const transfer = (attributes: Record<string, unknown>) => ({
      type: 'transfer',
      attributes: { tenant_id: T1, ...attributes },
    });
    const answers: boolean[] = [];
    for (const roles of [[], ['role_11'], ['nobody', 'role_0'], ['role_12'], [11, 'constructor']]) {
      const subject = { ...alice, roles: roles as string[] };
      // accounts.lock is named nowhere in the document: only the role's wildcard grants it.
      for (const action of ['accounts.read', 'accounts.lock', 'transfers.read']) {
        answers.push(agree(p, subject, action, account({ owner_id: 'bob' })));
        for (const state of ['state_11', 'state_12', 11, null]) {
          for (const amount of [3, 11, '3', Number.NaN]) {
            answers.push(agree(p, subject, action, transfer({ state, amount })));
          }
        }
      }
    }
    expect(answers).toContain(true);
    expect(answers).toContain(false);
  });

  it('past 1,024 action names (the index is a Map then)', () => {
    const many = Array.from({ length: 1100 }, (_, i) => `reports.r${i}`);
    // At most 500 permissions a role: three roles share them.
    const readers = { r1: many.slice(0, 400), r2: many.slice(400, 800), r3: many.slice(800) };
    const roles = Object.fromEntries(Object.entries(readers).map(([r, permissions]) => [r, { permissions }]));
    const p = both({ ...bankingPolicy, roles: { ...bankingPolicy.roles, ...roles } });
    const reader = { ...alice, roles: ['r1', 'r3'] };
    expect(agree(p, reader, 'reports.r500', account({}))).toBe(false);
    expect(agree(p, reader, 'reports.r1099', account({}))).toBe(true);
    expect(agree(p, reader, 'reports.r1100', account({}))).toBe(false);
    expect(agree(p, reader, 'reports.r0')).toBe(true);
    expect(agree(p, alice, 'accounts.read', account({ owner_id: 'alice' }))).toBe(true);
    expect(agree(p, alice, 'accounts.read', { type: 'nothing', attributes: {} })).toBe(false);
  });

  it('writes names from a document compileValidated took unchecked as string literals, never as code', () => {
    // compileValidated skips the shape check, so names need not be lower_snake_case here.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a name that would run if it were code
    const hostile = ['x"); globalThis.__pwned = 1; ("', "y'\\u0022\n\u2028", '`${globalThis.__pwned = 2}`'];
    const [a, b, c] = hostile as [string, string, string];
    const doc = {
      version: 1,
      resources: {
        [a]: { tenant_attribute: 'tenant_id', attributes: { tenant_id: 'string', [b]: 'boolean' } },
      },
      roles: { [c]: { permissions: [`${a}.read`] } },
      groups: { [b]: { permissions: [a] } },
      rules: [
        {
          id: a,
          effect: 'allow',
          actions: [c],
          resource: a,
          condition: { eq: [`resource.${b}`, true] },
        },
      ],
    } as unknown as PolicyDocument;
    const p = both(doc, compileValidated);
    const record = (flag: unknown) => ({ type: a, attributes: { tenant_id: T1, [b]: flag } });
    expect(agree(p, { ...alice, roles: [c] }, `${a}.read`, record(false))).toBe(true);
    expect(agree(p, { ...alice, groups: [b] }, a, record(false))).toBe(true);
    expect(agree(p, alice, c, record(true))).toBe(true);
    expect(agree(p, alice, c, record('true'))).toBe(false);
    expect(agree(p, alice, c, { type: b, attributes: { tenant_id: T1 } })).toBe(false);
    expect((globalThis as { __pwned?: unknown }).__pwned).toBeUndefined();
  });
});
