// The verifier decides exactly as the server: for generated sequences of grant changes (group
// membership, roles replaced, added and removed (several roles per account), logouts, new sign-ins,
// lock, ban and soft delete with their lifts, and the owner's impersonation tokens (#14), which a rule
// on subject.actor treats apart) and generated
// questions, verifier.authorize() equals
// POST /authorize and verifier.filter() equals POST /authorize/filter, for the same token, whether it
// was minted before or after the changes, once the verifier has polled the feed. Applications' tokens
// (#18, subject.kind = client) too: their scopes, a rule on subject.kind, a scope taken away, a revoked
// token and a deleted application.
import type { Resource, VerifierError } from '@enforcer/node-verifier';
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { type ApiAnswer, type Member, startEnforcer } from './support';

const RUNS = Number(process.env.VERIFIER_PARITY_RUNS ?? 40);
const OTHER_TENANT = '00000000-0000-4000-8000-000000000000';

const enforcer = await startEnforcer();
const verifier = enforcer.verifier({ autoRefresh: false });
const owner = () => enforcer.owner.token;
const groupIds = new Map<string, string>();
type Status = 'active' | 'locked' | 'banned' | 'deleted';
const accounts: { accountId: string; tokens: string[]; sessions: Member[]; status: Status }[] = [];

beforeAll(async () => {
  for (const [name, permissions] of [
    ['support', ['tickets.*']],
    ['auditors', []],
  ] as const) {
    const created = await enforcer.api('POST', '/groups', { token: owner(), body: { name, permissions } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  for (const group of (await enforcer.api('GET', '/groups', { token: owner() })).body.data) {
    groupIds.set(group.name, group.id);
  }
  // The default policy, plus a resource type and rules over subject and resource attributes.
  const current = (await enforcer.api('GET', '/policy', { token: owner() })).body.document;
  const document = {
    ...current,
    resources: {
      ...current.resources,
      transfer: {
        tenant_attribute: 'tenant_id',
        attributes: {
          tenant_id: 'string',
          id: 'string',
          created_by: 'string',
          amount: 'number',
          state: 'string',
          tags: 'string[]',
          created_at: 'timestamp',
        },
      },
    },
    roles: { ...current.roles, teller: { permissions: ['transfers.read', 'tickets.read'] } },
    rules: [
      ...current.rules,
      {
        id: 'own-transfers',
        effect: 'allow',
        actions: ['transfers.read', 'transfers.cancel'],
        resource: 'transfer',
        condition: { eq: ['resource.created_by', { ref: 'subject.id' }] },
      },
      {
        id: 'support-approves-pending',
        effect: 'allow',
        actions: ['transfers.approve'],
        resource: 'transfer',
        condition: {
          and: [{ contains: ['subject.groups', 'support'] }, { in: ['resource.state', ['pending', 'held']] }],
        },
      },
      {
        id: 'no-self-approval',
        effect: 'deny',
        actions: ['transfers.approve'],
        resource: 'transfer',
        condition: { eq: ['resource.created_by', { ref: 'subject.id' }] },
      },
      {
        id: 'large-needs-owner',
        effect: 'deny',
        actions: ['transfers.*'],
        resource: 'transfer',
        condition: {
          and: [{ gt: ['resource.amount', 10000] }, { not: { contains: ['subject.roles', 'owner'] } }],
        },
      },
      {
        id: 'flagged-hidden',
        effect: 'deny',
        actions: ['transfers.read'],
        resource: 'transfer',
        condition: { contains: ['resource.tags', 'flagged'] },
      },
      {
        id: 'recent-only',
        effect: 'deny',
        actions: ['transfers.cancel'],
        resource: 'transfer',
        condition: { lt: ['resource.created_at', '2026-01-01T00:00:00Z'] },
      },
      {
        id: 'auditors-read-reports',
        effect: 'allow',
        actions: ['reports.read'],
        condition: { contains: ['subject.groups', 'auditors'] },
      },
      {
        id: 'no-cancelling-while-impersonating',
        effect: 'deny',
        actions: ['transfers.cancel', 'tickets.*'],
        condition: { exists: 'subject.actor' },
      },
      {
        // Applications (#18): a rule on subject.kind keeps them from an action whatever their scopes.
        id: 'clients-never-cancel',
        effect: 'deny',
        actions: ['transfers.cancel'],
        condition: { eq: ['subject.kind', 'client'] },
      },
      {
        id: 'tellers-never-create-transfers',
        effect: 'deny',
        actions: ['transfers.create'],
        condition: { contains: ['subject.roles', 'teller'] },
      },
    ],
  };
  const put = await enforcer.api('PUT', '/policy', { token: owner(), body: document });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  for (let i = 0; i < 3; i++) {
    const member = await enforcer.addAccount('member');
    accounts.push({
      accountId: member.accountId,
      tokens: [member.token],
      sessions: [member],
      status: 'active',
    });
  }
  await verifier.refresh();
});

// ---- generators: what happens, and what is asked

type Change =
  | { kind: 'add' | 'remove'; account: number; group: string }
  | { kind: 'role' | 'add_role' | 'remove_role'; account: number; role: string }
  | { kind: 'sign_in' | 'logout' | 'impersonate'; account: number }
  | { kind: 'status'; account: number; to: Status };

const account = fc.nat({ max: 2 });
const group = fc.constantFrom('support', 'auditors', 'verified');
const change: fc.Arbitrary<Change> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('add' as const), account, group }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), account, group }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('role' as const),
      account,
      role: fc.constantFrom('member', 'teller', 'admin'),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('add_role' as const, 'remove_role' as const),
      account,
      role: fc.constantFrom('member', 'teller', 'admin'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('sign_in' as const), account }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('logout' as const), account }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('impersonate' as const), account }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('status' as const),
      account,
      to: fc.constantFrom<Status>('active', 'locked', 'banned', 'deleted'),
    }),
    weight: 2,
  },
);

/** The lifecycle calls (#14): how an account gets into a status, and back to `active` from it. */
const into: Record<Exclude<Status, 'active'>, [method: string, path: string]> = {
  locked: ['POST', 'lock'],
  banned: ['POST', 'ban'],
  deleted: ['DELETE', ''],
};
const outOf: Record<Exclude<Status, 'active'>, string> = {
  locked: 'unlock',
  banned: 'unban',
  deleted: 'restore',
};
/** Which of the account's tokens asks: mostly the latest, sometimes an older one (minted before changes). */
const tokenChoice = fc.oneof({ arbitrary: fc.constant(-1), weight: 2 }, { arbitrary: fc.nat(), weight: 1 });
const pick = (tokens: string[], choice: number) =>
  choice < 0 ? tokens.at(-1)! : tokens[choice % tokens.length]!;

const action = fc.constantFrom(
  'transfers.read',
  'transfers.approve',
  'transfers.cancel',
  'transfers.create',
  'reports.read',
  'tickets.open',
  'tickets.read',
  'accounts.read',
  'accounts.role.update',
  'groups.create',
  'policy.update',
  'tenants.read',
  'unknown.thing',
);

const ownMostly = fc.oneof(
  { arbitrary: fc.constant('own'), weight: 5 },
  { arbitrary: fc.constant(OTHER_TENANT), weight: 1 },
);
const someone = fc.oneof(
  fc.nat({ max: 2 }).map((i) => ({ ref: i })),
  fc.constant({ ref: -1 }),
);
const transfer = fc.record(
  {
    tenant_id: ownMostly,
    id: fc.uuid(),
    created_by: someone,
    amount: fc.oneof(fc.constantFrom(0, 10000, 10000.5, 10001), fc.integer({ min: -5, max: 20000 })),
    state: fc.constantFrom('pending', 'held', 'done'),
    tags: fc.subarray(['flagged', 'vip', 'new']),
    created_at: fc.constantFrom(
      '2025-12-31T23:59:59.999Z',
      '2026-01-01T00:00:00.000Z',
      '2026-06-01T10:00:00Z',
    ),
  },
  { requiredKeys: [] },
);
const accountRecord = fc.record(
  { tenant_id: ownMostly, id: someone, active: fc.boolean(), role: fc.constantFrom('member', 'admin') },
  { requiredKeys: ['tenant_id'] },
);
const resource = fc.option(
  fc.oneof(
    { arbitrary: transfer.map((attributes) => ({ type: 'transfer', attributes })), weight: 4 },
    { arbitrary: accountRecord.map((attributes) => ({ type: 'account', attributes })), weight: 2 },
    { arbitrary: fc.constant({ type: 'no_such_type', attributes: {} }), weight: 1 },
  ),
  { nil: undefined },
);
const question = fc.record({ account, token: tokenChoice, action, resource });
const filterQuestion = fc.record({
  account,
  token: tokenChoice,
  action,
  type: fc.oneof(
    { arbitrary: fc.constantFrom('transfer', 'account'), weight: 4 },
    { arbitrary: fc.constantFrom('group', 'api_key', 'no_such_type'), weight: 1 },
  ),
});

/** Placeholders → this run's ids: `own` is the tenant, `{ ref: i }` account i (-1: a stranger). */
function concrete(
  resource: { type: string; attributes: Record<string, unknown> } | undefined,
): Resource | undefined {
  if (!resource) return undefined;
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(resource.attributes)) {
    if (value === 'own') attributes[name] = enforcer.tenantId;
    else if (typeof value === 'object' && value !== null && 'ref' in value) {
      const i = (value as { ref: number }).ref;
      attributes[name] = i < 0 ? '11111111-1111-4111-8111-111111111111' : accounts[i]!.accountId;
    } else attributes[name] = value;
  }
  return { type: resource.type, attributes };
}

async function apply(c: Change): Promise<void> {
  const target = accounts[c.account]!;
  let answer: ApiAnswer | undefined;
  switch (c.kind) {
    case 'add':
      answer = await enforcer.api('POST', `/groups/${groupIds.get(c.group)}/members`, {
        token: owner(),
        body: { account_id: target.accountId },
      });
      break;
    case 'remove':
      answer = await enforcer.api('DELETE', `/groups/${groupIds.get(c.group)}/members/${target.accountId}`, {
        token: owner(),
      });
      break;
    case 'status': {
      // Back to active first (unlock, unban, restore), then into the new status (lock, ban, delete).
      if (target.status !== 'active') {
        const lifted = await enforcer.api('POST', `/accounts/${target.accountId}/${outOf[target.status]}`, {
          token: owner(),
        });
        expect(lifted.status, JSON.stringify(lifted.body)).toBe(200);
        target.status = 'active';
      }
      if (c.to === 'active') return;
      const [method, suffix] = into[c.to];
      answer = await enforcer.api(method, `/accounts/${target.accountId}${suffix ? `/${suffix}` : ''}`, {
        token: owner(),
        ...(method === 'POST' ? { body: { reason: 'parity' } } : {}),
      });
      expect(answer.body.status, JSON.stringify(answer.body)).toBe(c.to);
      target.status = c.to;
      break;
    }
    case 'role':
      // The default policy refuses promoting an account that is not active: no change to compare.
      if (target.status !== 'active') return;
      answer = await enforcer.api('PUT', `/accounts/${target.accountId}/role`, {
        token: owner(),
        body: { role: c.role },
      });
      break;
    case 'add_role':
    case 'remove_role':
      if (target.status !== 'active') return;
      answer =
        c.kind === 'add_role'
          ? await enforcer.api('POST', `/accounts/${target.accountId}/roles`, {
              token: owner(),
              body: { role: c.role },
            })
          : await enforcer.api('DELETE', `/accounts/${target.accountId}/roles/${c.role}`, { token: owner() });
      // Its only role stays (an account always holds one): no change to compare.
      if (answer.status === 409 && answer.body.code === 'last_role') return;
      break;
    case 'sign_in': {
      if (target.status !== 'active') {
        // Sign-in is refused with the status's own code; no session, nothing new to ask with.
        await expect(enforcer.signIn(target.accountId)).rejects.toMatchObject({
          code: `account_${target.status}`,
        });
        return;
      }
      const session = await enforcer.signIn(target.accountId);
      target.tokens.push(session.token);
      target.sessions.push(session);
      return;
    }
    case 'impersonate': {
      // The owner acts as the account: a token with `act`, asked with like the account's own.
      answer = await enforcer.api('POST', `/accounts/${target.accountId}/impersonate`, {
        token: owner(),
        body: { reason: 'parity' },
      });
      if (target.status !== 'active') {
        expect(answer.body.code, JSON.stringify(answer.body)).toBe('status_conflict');
        return;
      }
      target.tokens.push(answer.body.token);
      break;
    }
    case 'logout': {
      const session = target.sessions.at(-1)!;
      answer = await enforcer.api('POST', '/auth/logout', { body: { refresh_token: session.refreshToken } });
      break;
    }
  }
  expect(answer!.status, `${JSON.stringify(c)}: ${JSON.stringify(answer!.body)}`).toBeLessThan(300);
}

/** The verifier's answer in the server's terms: the decision, or the problem code it would answer. */
async function offline<T>(decide: () => Promise<T>): Promise<{ status: 200; body: T } | { code: string }> {
  try {
    return { status: 200, body: await decide() };
  } catch (error) {
    const code = (error as VerifierError).code;
    const asServer: Record<string, string> = {
      revoked: 'token_invalid',
      expired: 'token_expired',
      account_inactive: 'account_inactive',
      unknown_resource_type: 'unknown_resource_type',
    };
    return { code: asServer[code] ?? `verifier:${code}` };
  }
}
const online = (answer: ApiAnswer) =>
  answer.status === 200 ? { status: 200, body: answer.body } : { code: answer.body?.code };

it('verifier.authorize, authorizeMany and filter answer as POST /authorize, /authorize/batch and /authorize/filter', async () => {
  let compared = 0;
  let allowed = 0;
  let denied = 0;
  let refused = 0;
  let conditional = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(change, { maxLength: 4 }),
      fc.array(question, { minLength: 1, maxLength: 6 }),
      fc.array(filterQuestion, { minLength: 1, maxLength: 3 }),
      async (changes, questions, filters) => {
        for (const c of changes) await apply(c);
        await verifier.refresh(); // one poll of the feed (and of the policy)
        for (const q of questions) {
          const token = pick(accounts[q.account]!.tokens, q.token);
          const res = concrete(q.resource);
          const server = online(
            await enforcer.api('POST', '/authorize', { token, body: { action: q.action, resource: res } }),
          );
          const local = await offline(() => verifier.authorize(token, q.action, res));
          expect(local, JSON.stringify({ q, res })).toEqual(server);
          compared++;
          if (!('body' in server)) refused++;
          else if ((server.body as { allowed: boolean }).allowed) allowed++;
          else denied++;
        }
        // The batch of every question, asked with the first one's token: the server's POST /authorize/batch
        // and the verifier's authorizeMany answer alike (and refuse alike).
        const batchToken = pick(accounts[questions[0]!.account]!.tokens, questions[0]!.token);
        const checks = questions.map((q) => ({ action: q.action, resource: concrete(q.resource) }));
        const batch = online(
          await enforcer.api('POST', '/authorize/batch', { token: batchToken, body: { checks } }),
        );
        const localBatch = await offline(async () => ({
          results: await verifier.authorizeMany(batchToken, checks),
        }));
        expect(localBatch, JSON.stringify(checks)).toEqual(batch);
        compared++;
        for (const f of filters) {
          const token = pick(accounts[f.account]!.tokens, f.token);
          const body = { action: f.action, resource_type: f.type };
          const server = online(await enforcer.api('POST', '/authorize/filter', { token, body }));
          const local = await offline(async () => ({ plan: await verifier.filter(token, f.action, f.type) }));
          expect(local, JSON.stringify(f)).toEqual(server);
          compared++;
          if (
            'body' in server &&
            (server.body as { plan: { decision: string } }).plan.decision === 'conditional'
          )
            conditional++;
        }
      },
    ),
    {
      numRuns: RUNS,
      ...(process.env.VERIFIER_PARITY_SEED ? { seed: Number(process.env.VERIFIER_PARITY_SEED) } : {}),
      // One case first, on the fresh accounts, that is sure to plan `conditional` (a member reading
      // transfers: only the own-transfers rule grants it): with 40 random runs, some seeds drew none and
      // the coverage check below failed although every comparison agreed.
      examples: [
        [
          [],
          [{ account: 0, token: -1, action: 'transfers.read', resource: undefined }],
          [{ account: 0, token: -1, action: 'transfers.read', type: 'transfer' }],
        ],
      ],
    },
  );
  // The generators must reach the interesting cases, or the property proves little.
  expect(compared).toBeGreaterThan(RUNS * 2);
  expect(allowed).toBeGreaterThan(0);
  expect(denied).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(0);
  expect(conditional).toBeGreaterThan(0);
});

it('a token of a locked, banned or deleted account is refused offline after one poll, as by the server', async () => {
  for (const [status, [method, suffix]] of Object.entries(into)) {
    const member = await enforcer.addAccount('member');
    await verifier.refresh();
    expect(await offline(() => verifier.authorize(member.token, 'tenants.read'))).toEqual({
      status: 200,
      body: expect.objectContaining({ allowed: true }),
    });
    const changed = await enforcer.api(method, `/accounts/${member.accountId}${suffix ? `/${suffix}` : ''}`, {
      token: owner(),
      ...(method === 'POST' ? { body: { reason: 'parity' } } : {}),
    });
    expect(changed.body.status, JSON.stringify(changed.body)).toBe(status);
    await verifier.refresh(); // one poll
    const server = online(
      await enforcer.api('POST', '/authorize', { token: member.token, body: { action: 'tenants.read' } }),
    );
    expect(server, status).toEqual({ code: 'token_invalid' });
    expect(await offline(() => verifier.authorize(member.token, 'tenants.read')), status).toEqual(server);
  }
});

it('an impersonation token: principal.actor, subject.actor rules, and its end (by its actor) decided as by the server', async () => {
  // A teller holds tickets.read, which the rule on subject.actor denies while impersonated.
  const member = await enforcer.addAccount('teller');
  // A second owner impersonates, so that the first can lock it.
  const actor = await enforcer.addAccount('owner');
  const started = await enforcer.api('POST', `/accounts/${member.accountId}/impersonate`, {
    token: actor.token,
    body: { reason: 'parity' },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const token: string = started.body.token;
  await verifier.refresh();
  const principal = await verifier.verify(token);
  expect(principal).toMatchObject({ accountId: member.accountId, actor: actor.accountId });
  expect(principal.subject.actor).toBe(actor.accountId);
  expect(principal.claims.act).toEqual({ sub: actor.accountId });
  expect((await verifier.verify(member.token)).actor).toBeNull();
  // The rule on subject.actor: the same questions with both tokens, offline and online alike.
  for (const [who, asked] of [
    ['own', member.token],
    ['impersonated', token],
  ] as const) {
    for (const action of ['tenants.read', 'tickets.read', 'transfers.cancel']) {
      const server = online(await enforcer.api('POST', '/authorize', { token: asked, body: { action } }));
      expect(await offline(() => verifier.authorize(asked, action)), `${who} ${action}`).toEqual(server);
    }
  }
  const ruled = online(
    await enforcer.api('POST', '/authorize', { token, body: { action: 'tickets.read' } }),
  ) as { body: { allowed: boolean; reason: { kind: string } } };
  expect(ruled.body).toMatchObject({ allowed: false, reason: { kind: 'denied_by_rule' } });
  const own = await enforcer.api('POST', '/authorize', {
    token: member.token,
    body: { action: 'tickets.read' },
  });
  expect(own.body.allowed).toBe(true);

  // The actor is locked: its impersonation session ends; the server refuses the token at once, the
  // verifier after one poll of the feed.
  const locked = await enforcer.api('POST', `/accounts/${actor.accountId}/lock`, {
    token: owner(),
    body: { reason: 'parity' },
  });
  expect(locked.body.status, JSON.stringify(locked.body)).toBe('locked');
  await verifier.refresh();
  const server = online(
    await enforcer.api('POST', '/authorize', { token, body: { action: 'tenants.read' } }),
  );
  expect(server).toEqual({ code: 'token_invalid' });
  expect(await offline(() => verifier.authorize(token, 'tenants.read'))).toEqual(server);
  // The member's own token is untouched.
  expect(await offline(() => verifier.authorize(member.token, 'tenants.read'))).toMatchObject({
    status: 200,
  });
});

it("an application's token (subject.kind client): decisions, scopes taken away, revocation and deletion as by the server", async () => {
  const clients = enforcer.clientVerifier({ autoRefresh: false });
  const app = await enforcer.addApplication([
    'transfers.read',
    'transfers.cancel',
    'tickets.read',
    'accounts.read',
  ]);
  let token = await app.token();
  await clients.refresh();
  const principal = await clients.verify(token);
  expect(principal).toMatchObject({ kind: 'client', clientId: app.clientId, tenantId: enforcer.tenantId });
  expect(principal.subject).toMatchObject({ kind: 'client', id: app.clientId, roles: [], groups: [] });
  // An account verifier does not take it.
  await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'client_token' });

  const transfers = [
    undefined,
    { type: 'transfer', attributes: { tenant_id: enforcer.tenantId, id: 't1', created_by: app.clientId } },
    { type: 'transfer', attributes: { tenant_id: OTHER_TENANT, id: 't2' } },
    { type: 'no_such_type', attributes: {} },
  ];
  const actions = [
    'transfers.read',
    'transfers.cancel',
    'tickets.read',
    'accounts.read',
    'reports.read',
    'policy.update',
  ];
  let allowed = 0;
  const compareAll = async (label: string) => {
    for (const action of actions) {
      for (const resource of transfers) {
        const server = online(
          await enforcer.api('POST', '/authorize', { token, body: { action, resource } }),
        );
        const local = await offline(() => clients.authorize(token, action, resource));
        expect(local, `${label} ${action} ${JSON.stringify(resource)}`).toEqual(server);
        if ('body' in server && (server.body as { allowed: boolean }).allowed) allowed++;
      }
      const body = { action, resource_type: 'transfer' };
      const server = online(await enforcer.api('POST', '/authorize/filter', { token, body }));
      const local = await offline(async () => ({ plan: await clients.filter(token, action, 'transfer') }));
      expect(local, `${label} filter ${action}`).toEqual(server);
    }
    const checks = actions.map((action) => ({ action }));
    const batch = online(await enforcer.api('POST', '/authorize/batch', { token, body: { checks } }));
    expect(
      await offline(async () => ({ results: await clients.authorizeMany(token, checks) })),
      label,
    ).toEqual(batch);
  };
  await compareAll('fresh');
  expect(allowed).toBeGreaterThan(0);
  // The rule on subject.kind denies what the scope grants, on both sides.
  expect(await offline(() => clients.authorize(token, 'transfers.cancel'))).toMatchObject({
    body: { allowed: false, reason: { kind: 'denied_by_rule' } },
  });

  // A scope taken away: the server decides with today's application at once, the verifier after a poll.
  const patched = await enforcer.api('PATCH', `/applications/${app.id}`, {
    token: owner(),
    body: { scopes: ['transfers.read', 'transfers.cancel', 'accounts.read'] },
  });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  await clients.refresh();
  await compareAll('scope removed');
  expect(await offline(() => clients.authorize(token, 'tickets.read'))).toMatchObject({
    body: { allowed: false },
  });

  // The token revoked (RFC 7009, by an API key): refused by both after one poll.
  const revoked = await fetch(`${enforcer.baseUrl}/oauth/revoke`, {
    method: 'POST',
    headers: { 'x-api-key': enforcer.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(revoked.status).toBe(200);
  await clients.refresh();
  await compareAll('revoked');
  expect(await offline(() => clients.authorize(token, 'accounts.read'))).toEqual({ code: 'token_invalid' });

  // A new token works; the application deleted: refused by both after one poll.
  token = await app.token();
  await compareAll('new token');
  const deleted = await enforcer.api('DELETE', `/applications/${app.id}`, { token: owner() });
  expect(deleted.status).toBe(204);
  await clients.refresh();
  await compareAll('deleted');
  expect(await offline(() => clients.authorize(token, 'accounts.read'))).toEqual({ code: 'token_invalid' });
});
