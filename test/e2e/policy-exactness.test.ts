// Issue #12 over HTTP: every input the policy engine refuses is a problem+json 400 that names
// the field, on PUT /policy, POST /authorize and POST /authorize/filter; none is a 500, and
// nothing is stored.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
});

// biome-ignore lint/suspicious/noExplicitAny: documents are edited loosely, then sent
const read = async (): Promise<any> =>
  expectOk(await api('GET', '/policy', { token: t.owner.token })).document;
const put = (body: unknown) => api('PUT', '/policy', { token: t.owner.token, body });

/** The current document with one more rule, and the path of that rule. */
async function withRule(rule: Record<string, unknown>): Promise<{ document: unknown; at: string }> {
  const document = structuredClone(await read());
  document.rules.push({ effect: 'allow', actions: ['accounts.read'], resource: 'account', ...rule });
  return { document, at: `body.rules[${document.rules.length - 1}]` };
}

/** `body.rules[3].eq[1]` and `body.rules.3.eq.1` name the same field. */
const dotted = (path: string) => path.replace(/\[(\d+)\]/g, '.$1');

/**
 * A 400 naming the field, nothing stored. The engine answers `invalid_policy`; a request
 * envelope in front of it (a JSON parser that refuses NUL, lone surrogates or deep nesting
 * in any body) may answer first with `validation_failed`: either is a refusal naming the field.
 */
async function expectRefused(
  document: unknown,
  path: string,
  codes = ['invalid_policy', 'validation_failed'],
) {
  const before = await read();
  const response = await put(document);
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  const problem = response.body as { code: string; errors?: { path: string; message: string }[] };
  expect(codes).toContain(problem.code);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(
    problem.errors?.some(
      (e) => dotted(path).startsWith(dotted(e.path)) || dotted(e.path).startsWith(dotted(path)),
    ),
  ).toBe(true);
  expect(await read()).toEqual(before);
  return problem;
}

describe('PUT /policy refuses what the engine refuses, naming the field', () => {
  it('strings PostgreSQL cannot store (NUL, lone surrogates), in a literal or anywhere else', async () => {
    for (const bad of ['a\u0000', '\ud800', 'x\udc00']) {
      const { document, at } = await withRule({ condition: { eq: ['resource.role', bad] } });
      await expectRefused(document, `${at}.condition.eq[1]`);
      const described = await withRule({ description: `note ${bad}` });
      await expectRefused(described.document, `${described.at}.description`);
    }
  });

  it('timestamps that are not real calendar dates or are outside 0001..9999', async () => {
    for (const bad of ['2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '0000-12-31T23:59:59.999Z']) {
      const { document, at } = await withRule({ condition: { lt: ['resource.created_at', bad] } });
      await expectRefused(document, `${at}.condition.lt[1]`);
    }
  });

  it('names that exist only on Object.prototype', async () => {
    const { document, at } = await withRule({ condition: { exists: 'resource.constructor' } });
    await expectRefused(document, `${at}.condition.exists`);
  });

  it('conditions nested too deep (3,000 levels: no stack overflow) and documents too large (413 before 400)', async () => {
    let condition: unknown = { exists: 'resource.role' };
    for (let i = 0; i < 3000; i++) condition = { not: condition };
    const deep = await withRule({ condition });
    await expectRefused(deep.document, `${deep.at}.condition.not.not`);
    // 33 levels fit any JSON depth limit in front of the engine: the engine's own limit answers.
    let justTooDeep: unknown = { exists: 'resource.role' };
    for (let i = 0; i < 32; i++) justTooDeep = { not: justTooDeep };
    const over = await withRule({ condition: justTooDeep });
    const problem = await expectRefused(over.document, `${over.at}.condition`, ['invalid_policy']);
    expect(problem.errors?.[0]?.message).toContain('nest at most 32 levels');

    const document = structuredClone(await read());
    for (let i = 0; i < 1000; i++) {
      document.rules.push({
        effect: 'allow',
        actions: ['accounts.read'],
        resource: 'account',
        condition: { or: Array.from({ length: 100 }, () => ({ eq: ['resource.role', 'open'] })) },
      });
    }
    // Over HTTP the body limit (64 KiB by default) answers first: 100,000 values do not fit.
    expectProblem(await put(document), 413, 'payload_too_large');
  });
});

describe('decisions answer odd inputs exactly, or 400 naming the field', () => {
  it('POST /authorize: empty and Object.prototype resource types, unstorable attribute values', async () => {
    const authorize = (body: unknown) => api('POST', '/authorize', { apiKey: t.apiKey, body });
    const problem = expectProblem(
      await authorize({ action: 'accounts.read', resource: { type: '', attributes: {} } }),
      400,
      'validation_failed',
    );
    expect(problem.errors?.map((e) => e.path)).toContain('body.resource.type');
    for (const type of ['constructor', 'tostring', 'nope']) {
      expect(
        expectOk(
          await authorize({
            action: 'accounts.read',
            resource: { type, attributes: { tenant_id: t.tenant.id } },
          }),
        ),
      ).toEqual({ allowed: false, reason: { kind: 'unknown_resource_type', resource_type: type } });
    }
    // Odd values the engine reads exactly (an invalid date reads as null): decided.
    for (const value of ['2026-02-30T00:00:00Z', ' ', 'NULL']) {
      const response = await authorize({
        action: 'accounts.read',
        resource: { type: 'account', attributes: { tenant_id: t.tenant.id, role: value, created_at: value } },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
    }
    // Strings no request may carry (docs/errors.md, "What every request goes through first"): refused by
    // the request envelope before the engine, naming the field.
    for (const value of ['\u0000', '\ud800']) {
      const response = await authorize({
        action: 'accounts.read',
        resource: { type: 'account', attributes: { tenant_id: t.tenant.id, role: value } },
      });
      const refused = expectProblem(response, 400, 'validation_failed');
      expect(refused.errors?.map((e) => e.path)).toEqual(['body.resource.attributes.role']);
    }
    // An own "__proto__" key, as a JSON body can carry it (JSON.parse; a literal would set the
    // prototype): never an attribute, never a prototype, and no 500.
    const proto = await authorize({
      action: 'accounts.read',
      resource: {
        type: 'account',
        attributes: JSON.parse(`{"tenant_id": "${t.tenant.id}", "__proto__": "x"}`),
      },
    });
    expect(proto.status, JSON.stringify(proto.body)).toBeLessThan(500);
  });

  it('POST /authorize/filter: undeclared and Object.prototype types are 400 naming the type', async () => {
    for (const resource_type of ['constructor', 'tostring', 'nope']) {
      const problem = expectProblem(
        await api('POST', '/authorize/filter', {
          apiKey: t.apiKey,
          body: { action: 'accounts.read', resource_type },
        }),
        400,
        'unknown_resource_type',
      );
      expect(problem.detail).toContain(resource_type);
    }
    expectProblem(
      await api('POST', '/authorize/filter', {
        apiKey: t.apiKey,
        body: { action: 'accounts.read', resource_type: '' },
      }),
      400,
      'validation_failed',
    );
  });
});
