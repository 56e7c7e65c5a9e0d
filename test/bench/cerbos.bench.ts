import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicyResponse } from '@enforcer/contract';
import { compile, type PolicyDocument, type Subject } from '@enforcer/contract/policy';
import { loadConfig, startDatabase } from '@enforcer/server';
import { startTestServer } from '@enforcer/server/testing';
import { type Agreement, cerbosPrincipal, checkAgreement } from './cerbos/agreement';
import { CONNECTIONS, DURATION, expectOk, type LoadFigure, measureTarget } from './cerbos/load';
import { cerbosBinary, cerbosPackage, startPdp } from './cerbos/pdp';
import { cerbosPolicyFor } from './cerbos/policy';
import type { Figure } from './measure';

/**
 * Enforcer beside the Cerbos PDP, with the same load runner, the same schedule and the same checks:
 * `POST /authorize` against Cerbos's `CheckResources` (`POST /api/check/resources`), and
 * `POST /authorize/filter` against `PlanResources` (`POST /api/plan/resources`), both over HTTP/1.1.
 *
 * The policy is the bench tenant's own (the default tenant policy, as `GET /policy` returns it in
 * effect), translated to Cerbos for the `account` resource type (cerbos/policy.ts); before anything
 * is timed, both engines answer the same few hundred questions and must agree (cerbos/agreement.ts).
 *
 * The question timed: a verified member reads their own account (`accounts.read`, allowed by the
 * rule `members-read-their-own-account`, an attribute condition), and which accounts that member may
 * read (a conditional plan: their own). Enforcer's caller is a bearer access token (verified, then
 * the caller's roles and groups looked up, cached); Cerbos is handed the principal in the request,
 * as its callers do, and `CheckResources` is measured a second time with the same access token in
 * `auxData.jwt`, which Cerbos then verifies against the server's key set. gRPC is not measured: the
 * load runner speaks HTTP/1.1 only.
 *
 * Where the package has no binary (any platform but linux/x64) the suite says so and skips; the
 * docs section is then left as it was.
 */

const RESOURCE = 'account';
const ACTION = 'accounts.read';

type Runs = { max: LoadFigure; half: LoadFigure };

export interface Pair {
  enforcer: Runs;
  cerbos: Runs;
}

export type CerbosBenchResult =
  | { skipped: string }
  | {
      cerbosVersion: string;
      agreement: Agreement;
      check: Pair;
      /** Cerbos's CheckResources verifying the same access token (auxData.jwt), beside the same Enforcer runs. */
      checkJwt: Pair;
      plan: Pair;
    };

export async function runCerbosBench(): Promise<CerbosBenchResult> {
  const binary = cerbosBinary();
  if ('missing' in binary) {
    process.stderr.write(`cerbos suite skipped: ${binary.missing}\n`);
    return { skipped: binary.missing };
  }

  const dataDir = await mkdtemp(join(tmpdir(), 'enforcer-bench-'));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as the `postgres` user, which must reach it
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    ACCESS_TOKEN_TTL: '3600',
    SIGNING_KEY_RETENTION: '86400',
  };
  const config = loadConfig({ ...process.env, ...env, ENFORCER_DATA_DIR: dataDir });
  const db = await startDatabase(config);
  const app = await startTestServer({ databaseUrl: db.url, env, recordRequests: false });
  let pdp: Awaited<ReturnType<typeof startPdp>> | undefined;
  try {
    const base = app.baseUrl;
    const json = { 'content-type': 'application/json' };

    // The tenant's policy as decisions use it, read by its owner.
    const tenant = await app.db.seedTenant({ name: 'Bench Bank' });
    const owner = await app.db.seedAccount({
      tenantId: tenant.id,
      role: 'owner',
      email: 'owner@example.com',
    });
    const ownerSession = await app.signIn({ accountId: owner.accountId, amr: ['otp'] });
    const policyResponse = await fetch(`${base}/policy`, {
      headers: { authorization: `Bearer ${ownerSession.accessToken}` },
    });
    if (policyResponse.status !== 200) throw new Error(`GET /policy: ${policyResponse.status}`);
    const policy: PolicyDocument = ((await policyResponse.json()) as PolicyResponse).effective;

    pdp = await startPdp(binary, cerbosPolicyFor(policy, RESOURCE), { jwks: await app.keys.getJwks() });
    const agreement = await checkAgreement(policy, RESOURCE, pdp.url);

    // The caller: a verified member, as in the server bench.
    const member = await app.db.seedAccount({
      tenantId: tenant.id,
      role: 'member',
      email: 'bench@example.com',
    });
    await app.db.addToGroup(member.accountId, 'verified');
    const session = await app.signIn({ accountId: member.accountId, amr: ['otp'] });
    const subject: Subject = {
      id: member.accountId,
      person_id: member.personId,
      tenant_id: tenant.id,
      roles: ['member'],
      groups: ['verified'],
      attributes: {},
    };
    const record = {
      id: member.accountId,
      tenant_id: tenant.id,
      person_id: member.personId,
      role: 'member',
      active: true,
      created_at: new Date().toISOString(),
    };
    const engine = compile(policy);
    if (!engine.can(subject, ACTION, { type: RESOURCE, attributes: record }))
      throw new Error('the engine does not allow the member to read their own account');
    if (engine.plan(subject, ACTION, RESOURCE).decision !== 'conditional')
      throw new Error("the engine's plan for the member is not conditional");

    const enforcerHeaders = { ...json, authorization: `Bearer ${session.accessToken}` };
    const principal = cerbosPrincipal(subject);

    // Each target answers once here: the answer is checked, then every answer under load must equal it.
    const checkBody = JSON.stringify({ action: ACTION, resource: { type: RESOURCE, attributes: record } });
    const decision = (await expectOk(`${base}/authorize`, enforcerHeaders, checkBody)) as {
      allowed?: unknown;
      reason?: { kind?: unknown; rule?: unknown };
    };
    if (
      decision.allowed !== true ||
      decision.reason?.kind !== 'allowed_by_rule' ||
      decision.reason.rule !== 'members-read-their-own-account'
    )
      throw new Error(`POST /authorize: not allowed by the rule: ${JSON.stringify(decision)}`);
    const cerbosCheckBody = JSON.stringify({
      requestId: 'bench',
      principal,
      resources: [{ actions: [ACTION], resource: { kind: RESOURCE, id: record.id, attr: record } }],
    });
    const cerbosDecision = (await expectOk(`${pdp.url}/api/check/resources`, json, cerbosCheckBody)) as {
      results?: { actions?: Record<string, string> }[];
      cerbosCallId?: string;
    };
    if (cerbosDecision.results?.[0]?.actions?.[ACTION] !== 'EFFECT_ALLOW')
      throw new Error(`CheckResources: not allowed: ${JSON.stringify(cerbosDecision)}`);
    delete cerbosDecision.cerbosCallId;
    // The same question with the caller's access token for Cerbos to verify: allowed with it, refused with a forged one.
    const cerbosJwtBody = (token: string) =>
      JSON.stringify({ ...JSON.parse(cerbosCheckBody), auxData: { jwt: { token, keySetId: 'enforcer' } } });
    const cerbosJwtDecision = (await expectOk(
      `${pdp.url}/api/check/resources`,
      json,
      cerbosJwtBody(session.accessToken),
    )) as typeof cerbosDecision;
    delete cerbosJwtDecision.cerbosCallId;
    if (JSON.stringify(cerbosJwtDecision) !== JSON.stringify(cerbosDecision))
      throw new Error(`CheckResources with the token: ${JSON.stringify(cerbosJwtDecision)}`);
    const forged = `${session.accessToken.slice(0, -6)}AAAAAA`;
    const refused = await fetch(`${pdp.url}/api/check/resources`, {
      method: 'POST',
      headers: json,
      body: cerbosJwtBody(forged),
    });
    if (refused.status !== 400) throw new Error(`CheckResources accepted a forged token: ${refused.status}`);

    const filterBody = JSON.stringify({ action: ACTION, resource_type: RESOURCE });
    const plan = (await expectOk(`${base}/authorize/filter`, enforcerHeaders, filterBody)) as {
      plan?: { decision?: unknown };
    };
    if (plan.plan?.decision !== 'conditional')
      throw new Error(`POST /authorize/filter: not a conditional plan: ${JSON.stringify(plan)}`);
    const cerbosPlanBody = JSON.stringify({
      requestId: 'bench',
      action: ACTION,
      principal,
      resource: { kind: RESOURCE, attr: { tenant_id: tenant.id } },
    });
    const cerbosPlan = (await expectOk(`${pdp.url}/api/plan/resources`, json, cerbosPlanBody)) as {
      filter?: { kind?: unknown };
      cerbosCallId?: string;
    };
    if (cerbosPlan.filter?.kind !== 'KIND_CONDITIONAL')
      throw new Error(`PlanResources: not a conditional plan: ${JSON.stringify(cerbosPlan)}`);
    delete cerbosPlan.cerbosCallId;

    const ignoreKeys = ['cerbosCallId'];
    const enforcerCheck = await measureTarget({
      name: 'Enforcer POST /authorize',
      url: `${base}/authorize`,
      headers: enforcerHeaders,
      body: checkBody,
      expectJson: decision,
    });
    const check: Pair = {
      enforcer: enforcerCheck,
      cerbos: await measureTarget({
        name: 'Cerbos CheckResources',
        url: `${pdp.url}/api/check/resources`,
        headers: json,
        body: cerbosCheckBody,
        expectJson: cerbosDecision,
        ignoreKeys,
      }),
    };
    const checkJwt: Pair = {
      enforcer: enforcerCheck,
      cerbos: await measureTarget({
        name: 'Cerbos CheckResources + JWT',
        url: `${pdp.url}/api/check/resources`,
        headers: json,
        body: cerbosJwtBody(session.accessToken),
        expectJson: cerbosDecision,
        ignoreKeys,
      }),
    };
    const planPair: Pair = {
      enforcer: await measureTarget({
        name: 'Enforcer POST /authorize/filter',
        url: `${base}/authorize/filter`,
        headers: enforcerHeaders,
        body: filterBody,
        expectJson: plan,
      }),
      cerbos: await measureTarget({
        name: 'Cerbos PlanResources',
        url: `${pdp.url}/api/plan/resources`,
        headers: json,
        body: cerbosPlanBody,
        expectJson: cerbosPlan,
        ignoreKeys,
      }),
    };
    return { cerbosVersion: pdp.version, agreement, check, checkJwt, plan: planPair };
  } finally {
    await pdp?.close();
    await app.close();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const ratio = (x: number) => `${x.toFixed(2)}×`;

/** Undefined when skipped: run.ts then leaves the docs section as it was. */
export function cerbosMarkdown(r: CerbosBenchResult): string | undefined {
  if ('skipped' in r) return undefined;
  const row = (f: LoadFigure) => `| ${f.name} | ${n(f.rps)} | ${f.p50} ms | ${f.p99} ms | ${n(f.answers)} |`;
  const versus = (label: string, p: Pair) =>
    `| ${label} | ${ratio(p.enforcer.max.rps / p.cerbos.max.rps)} | ${p.enforcer.half.p50} / ${p.cerbos.half.p50} ms | ${p.enforcer.half.p99} / ${p.cerbos.half.p99} ms |`;
  const a = r.agreement;
  return [
    `Cerbos ${r.cerbosVersion} (\`${cerbosPackage}\`), HTTP, policy translated from the bench tenant's; ` +
      `the engines agreed on ${a.decisions} decisions (${a.allowed} allowed) and ${a.plans} plans (${a.conditionalPlans} conditional) before timing. ` +
      `autocannon, ${CONNECTIONS} connections, ${DURATION} s per run, in a separate process; then the same at half the measured maximum rate. ` +
      `Every answer was checked: status 200 and the same JSON as the first answer, which was checked to be the decision expected ` +
      "(`accounts.read` on the member's own account: allowed by the rule; the plan: conditional); Cerbos's per-call `cerbosCallId` aside.",
    '',
    '| run | requests/s | p50 | p99 | answers (all 200) |',
    '|---|---|---|---|---|',
    ...[r.check.enforcer, r.check.cerbos, r.checkJwt.cerbos, r.plan.enforcer, r.plan.cerbos].flatMap((x) => [
      row(x.max),
      row(x.half),
    ]),
    '',
    '| Enforcer vs Cerbos | requests/s (max), Enforcer/Cerbos | p50 at half rate, Enforcer / Cerbos | p99 at half rate, Enforcer / Cerbos |',
    '|---|---|---|---|',
    versus('`POST /authorize` vs `CheckResources`', r.check),
    versus('`POST /authorize` vs `CheckResources` verifying the same token', r.checkJwt),
    versus('`POST /authorize/filter` vs `PlanResources`', r.plan),
    '',
    "Each side's half rate is half its own maximum. Enforcer's requests carry a bearer access token it verifies (ES256, once: a token verified before is found in the verified-token cache until it expires) and the caller's roles and groups it looks up (cached); Cerbos's carry the principal itself, and in the `+ JWT` runs also the same access token in `auxData.jwt`, which Cerbos verifies against the server's key set (a forged one was checked to be refused).",
  ].join('\n');
}

/**
 * Requests/s at the maximum and p99 at half rate for each target (Cerbos's are controls: code this
 * repository does not change), and Enforcer's throughput over Cerbos's from the same run.
 */
export function cerbosFigures(r: CerbosBenchResult): Figure[] {
  if ('skipped' in r) return [];
  const figures = (name: string, x: Runs, control: boolean): Figure[] => [
    {
      suite: 'cerbos',
      name: `${name}: requests/s (max)`,
      value: x.max.rps,
      unit: 'req/s',
      better: 'higher',
      control,
    },
    // autocannon's latencies are whole milliseconds: a 1 ms step is resolution, not a change.
    {
      suite: 'cerbos',
      name: `${name}: p99 at half rate`,
      value: x.half.p99,
      unit: 'ms',
      better: 'lower',
      resolution: 1,
      control,
    },
  ];
  const relative = (name: string, p: Pair): Figure => ({
    suite: 'cerbos',
    name: `${name}: requests/s (max), Enforcer/Cerbos`,
    value: p.enforcer.max.rps / p.cerbos.max.rps,
    unit: '×',
    better: 'higher',
  });
  return [
    ...figures('Enforcer POST /authorize', r.check.enforcer, false),
    ...figures('Cerbos CheckResources', r.check.cerbos, true),
    ...figures('Cerbos CheckResources + JWT', r.checkJwt.cerbos, true),
    ...figures('Enforcer POST /authorize/filter', r.plan.enforcer, false),
    ...figures('Cerbos PlanResources', r.plan.cerbos, true),
    relative('POST /authorize vs CheckResources', r.check),
    relative('POST /authorize vs CheckResources + JWT', r.checkJwt),
    relative('POST /authorize/filter vs PlanResources', r.plan),
  ];
}
