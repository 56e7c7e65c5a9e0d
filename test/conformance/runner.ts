// The conformance runner: every scenario of scenarios/*.ts (data, see scenario.ts) against one
// target (the MSW mock of @enforcer/sdk-js/msw, the real server). The mock is only worth shipping if
// it behaves like the server, so no scenario knows which target it runs against. Seeding goes through
// the HTTP API only: self-serve with an OTP proof, then an API key.
import { readdirSync } from 'node:fs';
import { createEnforcer, type Enforcer, EnforcerError, memoryStorage } from '@enforcer/sdk-js';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from 'jose';
import { generate } from 'otplib';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../e2e/soft-authenticator';
import type { CallStep, Data, RequestStep, Scenario, Step, Steps } from './scenario';
import { GOOGLE_CLIENT_ID, SIWE } from './scenarios/_steps';

export interface TargetClock {
  now(): number;
  advance(seconds: number): void;
}

export interface RunningTarget {
  /** The origin, as `createEnforcer({ baseUrl })` takes it. */
  baseUrl: string;
  /** Shared by the target and the SDKs: scenarios move time instead of sleeping. */
  clock: TargetClock;
  /** A Google the target trusts: signs ID tokens (iss Google, iat now, exp +1 h unless given). */
  google: { signIdToken(claims: { aud: string; [claim: string]: unknown }): Promise<string> };
  stop(): Promise<void>;
}

export interface ConformanceTarget {
  name: string;
  start(): Promise<RunningTarget>;
}

const API = '/api/v1/enforcer';

/** Every scenario under scenarios/ (files starting with `_` hold helpers), by file. Exported for runner.test.ts. */
export async function loadScenarios(): Promise<Array<{ file: string; scenarios: Scenario[] }>> {
  const dir = new URL('./scenarios/', import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const module = (await import(new URL(file, dir).href)) as { scenarios?: Scenario[] };
      if (!Array.isArray(module.scenarios))
        throw new Error(`scenarios/${file} exports no \`scenarios\` array`);
      return { file, scenarios: module.scenarios };
    }),
  );
}

/** Requests and SDK calls in some scenario data: how long its file takes to run, roughly. */
function stepCount(data: unknown): number {
  if (Array.isArray(data)) return data.reduce((n: number, item) => n + stepCount(item), 0);
  if (!isPlain(data)) return 0;
  let n = 'request' in data || 'call' in data ? 1 : 0;
  for (const value of Object.values(data)) n += stepCount(value);
  return n;
}

/**
 * The scenario files split into `count` parts of about equal work (steps), for a target run as several
 * test files that vitest spreads over its workers. Longest first, each into the lightest part so far: the
 * same split in every part's file, every scenario file in exactly one part. Exported for runner.test.ts.
 */
export function shardFiles<T extends { file: string; scenarios: readonly unknown[] }>(
  files: readonly T[],
  count: number,
): T[][] {
  const parts = Array.from({ length: count }, () => ({ weight: 0, files: [] as T[] }));
  const weighed = files.map((f) => ({ f, weight: stepCount(f.scenarios) }));
  weighed.sort((a, b) => b.weight - a.weight || (a.f.file < b.f.file ? -1 : 1));
  for (const { f, weight } of weighed) {
    const lightest = parts.reduce((min, part) => (part.weight < min.weight ? part : min));
    lightest.files.push(f);
    lightest.weight += weight;
  }
  return parts.map((part) => part.files.sort((a, b) => (a.file < b.file ? -1 : 1)));
}

export interface SuiteOptions {
  /** Run only part `index` (1-based) of `count` (see shardFiles); default: every scenario. */
  shard?: { index: number; count: number };
}

export async function conformanceSuite(target: ConformanceTarget, options: SuiteOptions = {}): Promise<void> {
  const all = await loadScenarios();
  const { shard } = options;
  const files = shard ? shardFiles(all, shard.count)[shard.index - 1]! : all;
  const part = shard ? ` (part ${shard.index} of ${shard.count})` : '';
  describe(`SDK conformance against ${target.name}${part}`, () => {
    let env: RunningTarget;
    beforeAll(async () => {
      env = await target.start();
    });
    afterAll(async () => {
      await env?.stop();
    });
    let run: Run | undefined;
    afterEach(() => {
      run?.close();
      run = undefined;
    });
    for (const { file, scenarios } of files) {
      describe(file.replace(/\.ts$/, ''), () => {
        for (const scenario of scenarios) {
          it(scenario.name, async () => {
            run = new Run(env);
            await run.steps(scenario.steps, 'steps');
          });
        }
      });
    }
  });
}

// --- one scenario's run ------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read loosely, then checked
  body: any;
}

type Vars = Record<string, unknown>;

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const randomHex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
const randomDigits = (n: number) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');

const isPlain = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
/** The `$`-key of a make/check object, if it is one. */
const dollarKey = (value: unknown): string | undefined =>
  isPlain(value) ? Object.keys(value).find((k) => k.startsWith('$')) : undefined;

/** `a.b[0].c` → ['a', 'b', '0', 'c']. */
const pathParts = (path: string) =>
  path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);

/** One scenario's run: its saved values, its SDK clients. Exported for runner.test.ts. */
export class Run {
  readonly vars: Vars = {};
  private readonly clients: Enforcer[] = [];
  private readonly privyKeys = new Map<string, CryptoKey>();

  constructor(private readonly env: RunningTarget) {}

  close() {
    for (const client of this.clients.splice(0)) client.destroy();
  }

  async steps(steps: Steps, where: string): Promise<void> {
    let i = 0;
    for (const step of steps) {
      const at = `${where}[${i++}]`;
      if (Array.isArray(step)) await this.steps(step, at);
      else await this.step(step as Step, at);
    }
  }

  // --- values ---------------------------------------------------------------------------------

  private lookup(path: string, where: string): unknown {
    let value: unknown = this.vars;
    for (const part of pathParts(path)) {
      if (value === null || value === undefined)
        throw new Error(`${where}: {{${path}}} is undefined at ${part}`);
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  }

  /** Placeholders and `Make` values resolved; `Check` objects (in expectations) left for `check`. */
  async value(data: unknown, where: string, checks = false): Promise<unknown> {
    if (typeof data === 'string') {
      const whole = /^\{\{([^{}]+)\}\}$/.exec(data);
      if (whole) return this.lookup(whole[1]!.trim(), where);
      return data.replace(/\{\{([^{}]+)\}\}/g, (_, path: string) => String(this.lookup(path.trim(), where)));
    }
    if (Array.isArray(data)) {
      const out = [];
      for (const item of data) out.push(await this.value(item, where, checks));
      return out;
    }
    if (!isPlain(data)) return data;
    const key = dollarKey(data);
    if (key && MAKE.has(key)) return this.make(key, data, where);
    if (key && checks) return data; // resolved when checked
    if (key) throw new Error(`${where}: ${key} makes no value (a check, or a typo?)`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) out[k] = await this.value(v, where, checks);
    return out;
  }

  private async make(key: string, spec: Record<string, unknown>, where: string): Promise<unknown> {
    const arg = await this.value(spec[key], where);
    const now = this.env.clock.now();
    switch (key) {
      case '$email':
        return `${unique(String(arg))}@example.com`;
      case '$unique':
        return unique(String(arg));
      case '$phone':
        return `${arg}${randomDigits(7)}`;
      case '$hex':
        return randomHex(Number(arg));
      case '$googleSub':
        return `1${randomDigits(15)}`;
      case '$otherCode':
        return arg === '000000' ? '111111' : '000000';
      case '$slice':
        return String(arg).slice(
          Number(spec.start ?? 0),
          spec.end === undefined ? undefined : Number(spec.end),
        );
      case '$claims':
        return decodeJwt(String(arg));
      case '$find': {
        const wanted = await this.value(spec.where, where, true);
        for (const item of arg as unknown[]) if (await this.passes(item, wanted, where)) return item;
        throw new Error(
          `${where}: no element matches ${JSON.stringify(spec.where)} in ${JSON.stringify(arg)}`,
        );
      }
      case '$upper':
        return String(arg).toUpperCase();
      case '$lower':
        return String(arg).toLowerCase();
      case '$nowSeconds':
        return Math.floor(now / 1000) + Number(arg);
      case '$with': {
        const copy = structuredClone(arg) as Record<string, unknown>;
        const at = (path: string) => {
          const parts = pathParts(path);
          const last = parts.pop()!;
          let parent = copy as Record<string, unknown>;
          for (const part of parts) parent = parent[part] as Record<string, unknown>;
          return { parent, last };
        };
        const append = (await this.value(spec.append ?? {}, where)) as Record<string, unknown[]>;
        for (const [path, items] of Object.entries(append)) {
          const { parent, last } = at(path);
          parent[last] = [...(parent[last] as unknown[]), ...items];
        }
        const set = (await this.value(spec.set ?? {}, where)) as Record<string, unknown>;
        for (const [path, value] of Object.entries(set)) {
          const { parent, last } = at(path);
          parent[last] = value;
        }
        return copy;
      }
      case '$totp':
        return generate({
          secret: String(arg),
          epoch: Math.floor(now / 1000) + Number(spec.offset ?? 0),
        });
      case '$googleProof': {
        const claims = arg as Record<string, unknown>;
        const nonce = randomHex(16);
        const token = await this.env.google.signIdToken({
          aud: GOOGLE_CLIENT_ID,
          sub: `1${randomDigits(15)}`,
          nonce,
          ...claims,
        });
        return { token, nonce };
      }
      case '$tamperSignature': {
        const [header, payload, signature] = String(arg).split('.');
        return `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
      }
      case '$publicKey':
        return exportSPKI((await generateKeyPair(String(arg), { extractable: true })).publicKey);
      case '$privyToken': {
        const app = arg as { appId: string; keyId: string };
        const claims = (await this.value(spec.claims, where)) as Record<string, unknown>;
        const ttl = Number(spec.ttl ?? 3600);
        const seconds = Math.floor(now / 1000);
        return new SignJWT({ iss: 'privy.io', aud: app.appId, iat: seconds, exp: seconds + ttl, ...claims })
          .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
          .sign(this.privyKeys.get(app.keyId)!);
      }
      case '$passkeyCreate': {
        const options = await this.value(spec.options, where);
        return (arg as SoftAuthenticator).create(options as Parameters<SoftAuthenticator['create']>[0]);
      }
      case '$passkeyGet': {
        const options = await this.value(spec.options, where);
        const overrides = await this.value(spec.overrides ?? {}, where);
        return (arg as SoftAuthenticator).get(
          options as Parameters<SoftAuthenticator['get']>[0],
          overrides as Parameters<SoftAuthenticator['get']>[1],
        );
      }
      default:
        throw new Error(`${where}: unknown value ${key}`);
    }
  }

  // --- checks: every leaf compared is one vitest assertion ------------------------------------

  async check(actual: unknown, expected: unknown, where: string): Promise<void> {
    const resolved = await this.value(expected, where, true);
    await this.compare(actual, resolved, where);
  }

  private async compare(actual: unknown, expected: unknown, where: string): Promise<void> {
    const key = dollarKey(expected);
    if (key) return this.checkOne(actual, key, expected as Record<string, unknown>, where);
    if (Array.isArray(expected)) {
      expect(Array.isArray(actual) ? actual.length : actual, `${where}: array length`).toBe(expected.length);
      for (let i = 0; i < expected.length; i++)
        await this.compare((actual as unknown[])[i], expected[i], `${where}[${i}]`);
      return;
    }
    if (isPlain(expected)) {
      // not an assertion of its own: the leaves below are
      if (typeof actual !== 'object' || actual === null) {
        throw new Error(`${where}: expected an object, got ${JSON.stringify(actual)}`);
      }
      for (const [k, v] of Object.entries(expected)) {
        await this.compare((actual as Record<string, unknown>)[k], v, `${where}.${k}`);
      }
      return;
    }
    expect(actual, where).toEqual(expected);
  }

  /** Does `actual` pass `expected`, without failing the test (for $some, $none, $oneOf, $not)? */
  private async passes(actual: unknown, expected: unknown, where: string): Promise<boolean> {
    const state = expect.getState();
    const calls = state.assertionCalls;
    try {
      await this.compare(actual, expected, where);
      return true;
    } catch {
      return false;
    } finally {
      expect.setState({ assertionCalls: calls });
    }
  }

  private async checkOne(actual: unknown, key: string, spec: Record<string, unknown>, where: string) {
    const arg = await this.value(spec[key], where, true);
    const now = this.env.clock.now();
    switch (key) {
      case '$match':
        expect(actual, where).toMatch(new RegExp(String(arg)));
        return;
      case '$type':
        expect(actual, where).toBeTypeOf(arg as 'string');
        return;
      case '$not':
        expect(
          await this.passes(actual, arg, where),
          `${where}: must not match ${JSON.stringify(arg)}, is ${JSON.stringify(actual)}`,
        ).toBe(false);
        return;
      case '$absent':
        expect(actual, where).toBeUndefined();
        return;
      case '$emptyOrAbsent':
        expect(actual ?? [], where).toEqual([]);
        return;
      case '$length':
        expect(actual, where).toHaveLength(Number(arg));
        return;
      case '$keys':
        expect(Object.keys(actual as object).sort(), `${where}: keys`).toEqual([...(arg as string[])].sort());
        return;
      case '$sameKeys':
        expect(Object.keys(actual as object).sort(), `${where}: keys`).toEqual(
          Object.keys(arg as object).sort(),
        );
        return;
      case '$exactly':
        expect(actual, where).toEqual(arg);
        return;
      case '$some':
      case '$none': {
        const items = actual as unknown[];
        expect(Array.isArray(items), `${where}: an array`).toBe(true);
        let found = false;
        for (const item of items) if (await this.passes(item, arg, where)) found = true;
        expect(
          found,
          `${where}: ${key === '$some' ? 'some' : 'no'} element matches ${JSON.stringify(arg)} in ${JSON.stringify(items)}`,
        ).toBe(key === '$some');
        return;
      }
      case '$last':
        return this.compare((actual as unknown[]).at(-1), arg, `${where}.at(-1)`);
      case '$pluck': {
        const wanted = await this.value(spec.is, where, true);
        return this.compare(
          (actual as Array<Record<string, unknown>>).map((item) => item[String(arg)]),
          wanted,
          `${where}.map(${arg})`,
        );
      }
      case '$oneOf': {
        let found = false;
        for (const option of arg as unknown[]) if (await this.passes(actual, option, where)) found = true;
        expect(found, `${where}: ${JSON.stringify(actual)} is one of ${JSON.stringify(arg)}`).toBe(true);
        return;
      }
      case '$gt':
        expect(actual, where).toBeGreaterThan(arg as number);
        return;
      case '$notContaining':
        expect(JSON.stringify(actual), where).not.toContain(String(arg));
        return;
      case '$jwt':
        return this.compare(decodeJwt(String(actual)), arg, `${where} (claims)`);
      case '$msFromNow': {
        const delta = new Date(String(actual)).getTime() - now;
        if (typeof arg === 'number') expect(delta, `${where}: ms from now`).toBe(arg);
        else {
          const { min, max } = arg as { min: number; max: number };
          expect(delta, `${where}: ms from now`).toBeGreaterThanOrEqual(min);
          expect(delta, `${where}: ms from now`).toBeLessThanOrEqual(max);
        }
        return;
      }
      case '$nowDate':
        expect(Date.parse(String(actual)), where).toBe(Math.floor(now / 1000) * 1000);
        return;
      case '$base64urlBytes':
        expect(Buffer.from(String(actual), 'base64url').length, where).toBe(arg);
        return;
      case '$base64urlText':
        expect(Buffer.from(String(actual), 'base64url').toString(), where).toBe(arg);
        return;
      default:
        throw new Error(`${where}: unknown check ${key}`);
    }
  }

  // --- steps ----------------------------------------------------------------------------------

  private save(name: string | undefined, value: unknown) {
    if (name) this.vars[name] = value;
  }

  private client(name: string, where: string): Enforcer {
    const client = this.vars[name];
    if (!(client && typeof client === 'object' && 'getSnapshot' in client)) {
      throw new Error(`${where}: no SDK client named ${name}`);
    }
    return client as Enforcer;
  }

  private async step(step: Step, where: string): Promise<void> {
    if ('request' in step) {
      const answer = await this.request(step, where);
      this.save(step.save, answer); // first: an expectation may name the answer itself
      await this.expectAnswer(answer, step, where);
    } else if ('client' in step) {
      const frozen = this.env.clock.now();
      const client = createEnforcer({
        baseUrl: this.env.baseUrl,
        clock: step.frozenClock ? { now: () => frozen } : this.env.clock,
        autoRefresh: false,
        storageKey: unique('conformance'),
        ...(step.permissions === false ? { permissions: false } : {}),
        ...(step.memoryStorage ? { storage: memoryStorage() } : {}),
      });
      this.clients.push(client);
      this.vars[step.client] = client;
    } else if ('call' in step) {
      await this.call(step, where);
    } else if ('parallel' in step) {
      const inner = step.step;
      await Promise.all(
        Array.from({ length: step.parallel }, async (_, i) => {
          const at = `${where}.parallel[${i}]`;
          if ('request' in inner) await this.expectAnswer(await this.request(inner, at), inner, at);
          else await this.call(inner, at);
        }),
      );
    } else if ('steps' in step) {
      const items = step.each ? ((await this.value(step.each, where)) as unknown[]) : undefined;
      const times = items?.length ?? step.repeat ?? 0;
      for (let i = 0; i < times; i++) {
        if (step.as) this.vars[step.as] = items ? items[i] : i + 1;
        await this.steps(step.steps, `${where}#${i + 1}`);
      }
    } else if ('check' in step) {
      await this.check(
        await this.value(step.check, where),
        step.is,
        `${where}: ${JSON.stringify(step.check)}`,
      );
    } else if ('let' in step) {
      for (const [name, data] of Object.entries(step.let))
        this.vars[name] = await this.value(data, `${where}.${name}`);
    } else if ('advanceClock' in step) {
      let seconds: number;
      if (typeof step.advanceClock === 'number') seconds = step.advanceClock;
      else {
        const answer = (await this.value(step.advanceClock.retryAfterOf, where)) as Answer;
        seconds = answer.status === 429 ? Number(answer.headers['retry-after']) : 0;
        if (!Number.isFinite(seconds)) throw new Error(`${where}: a 429 without a Retry-After in seconds`);
      }
      this.env.clock.advance(seconds);
    } else if ('permissionsReady' in step) {
      const client = this.client(step.permissionsReady, where);
      for (let i = 0; ; i++) {
        const s = client.getSnapshot();
        if (s.status === 'signed_in' && s.permissions.status === 'ready') break;
        if (i >= 400) throw new Error(`${where}: permissions never became ready: ${JSON.stringify(s)}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } else if ('watch' in step) {
      const client = this.client(step.watch, where);
      const seen: unknown[] = [];
      client.subscribe(() => {
        let value: unknown = client.getSnapshot();
        for (const part of pathParts(step.field))
          value = (value as Record<string, unknown> | undefined)?.[part];
        if (value !== undefined) seen.push(value);
      });
      this.vars[step.save] = seen;
    } else if ('passkeyAuthenticator' in step) {
      this.vars[step.save] = new SoftAuthenticator({
        origin: String(await this.value(step.passkeyAuthenticator, where)),
      });
    } else if ('privyApp' in step) {
      const appId = step.appId === undefined ? `app-${randomHex(8)}` : await this.value(step.appId, where);
      const keyId = randomHex(4);
      const pair = await generateKeyPair('ES256', { extractable: true });
      this.privyKeys.set(keyId, pair.privateKey);
      const settings = { app_id: appId, verification_key: await exportSPKI(pair.publicKey) };
      this.vars[step.privyApp] = { appId, keyId, settings };
    } else if ('siwe' in step) {
      await this.siwe(step, where);
    } else if ('sign' in step) {
      const wallet = this.vars[step.wallet] as PrivateKeyAccount;
      const message = String(await this.value(step.sign, where));
      this.vars[step.save] = await wallet.signMessage({ message });
    } else if ('wallet' in step) {
      this.vars[step.wallet] = privateKeyToAccount(generatePrivateKey());
    } else if ('accessToken' in step) {
      const token = String(await this.value(step.accessToken, where));
      const jwks = (await this.value(step.jwks, where)) as JSONWebKeySet;
      const issuer = String(await this.value(step.issuer, where));
      const header = decodeProtectedHeader(token);
      expect(
        jwks.keys.map((k) => k.kid),
        `${where}: the JWKS holds the token's key`,
      ).toContain(header.kid);
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
        algorithms: ['ES256'],
        typ: 'at+jwt',
        issuer,
        audience: 'enforcer',
        currentDate: new Date(this.env.clock.now()),
      });
      if (step.header) await this.check(header, step.header, `${where}.header`);
      if (step.claimNames)
        expect(Object.keys(payload).sort(), `${where}: claim names`).toEqual([...step.claimNames].sort());
      if (step.claims) await this.check(payload, step.claims, `${where}.claims`);
      if (step.lifetime !== undefined)
        expect(payload.exp! - payload.iat!, `${where}: lifetime`).toBe(step.lifetime);
    } else {
      throw new Error(`${where}: unknown step ${JSON.stringify(step)}`);
    }
  }

  private async request(step: RequestStep, where: string): Promise<Answer> {
    const [method, template] = step.request.split(' ', 2) as [string, string];
    const path = String(await this.value(template, where));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(step.headers ?? {})) {
      headers[name] = String(await this.value(value, where));
    }
    const body =
      step.raw !== undefined
        ? String(await this.value(step.raw, where))
        : step.body === undefined
          ? undefined
          : JSON.stringify(await this.value(step.body, where));
    if (body !== undefined) headers['content-type'] = step.contentType ?? 'application/json';
    const token = step.token === undefined ? undefined : await this.value(step.token, where);
    if (token) headers.authorization = `Bearer ${token}`;
    const apiKey = step.apiKey === undefined ? undefined : await this.value(step.apiKey, where);
    if (apiKey) headers['x-api-key'] = String(apiKey);
    const response = await fetch(`${this.env.baseUrl}${API}${path}`, { method, headers, body });
    const text = await response.text();
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      // JSON documents are parsed; NDJSON (the audit export) is text, one document per line.
      body:
        text && /^application\/(problem\+)?json/.test(response.headers.get('content-type') ?? '')
          ? JSON.parse(text)
          : text,
    };
  }

  private async expectAnswer(answer: Answer, step: RequestStep, where: string) {
    const expected = step.expect;
    if (!expected) return;
    const at = `${where} ${step.request} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
    if (expected.problem !== undefined) {
      expect({ status: answer.status, code: answer.body?.code }, at).toEqual({
        status: expected.status,
        code: expected.problem,
      });
      expect(answer.headers['content-type'], at).toMatch(/^application\/problem\+json/);
      expect(answer.body.status, at).toBe(expected.status);
    } else if (expected.status !== undefined) {
      await this.check(answer.status, expected.status, `${at}: status`);
    }
    if (expected.body !== undefined) await this.check(answer.body, expected.body, `${at}: body`);
    if (expected.headers) await this.check(answer.headers, expected.headers, `${at}: headers`);
  }

  private async call(step: CallStep, where: string) {
    const [name, ...path] = step.call.split('.');
    let self: unknown = this.client(name!, where);
    let fn: unknown = self;
    for (const part of path) {
      self = fn;
      fn = (fn as Record<string, unknown>)[part];
    }
    if (typeof fn !== 'function') throw new Error(`${where}: ${step.call} is not a method`);
    const args = (await this.value(step.args ?? [], where)) as unknown[];
    const at = `${where} ${step.call}`;
    if (step.rejects !== undefined) {
      const error = await Promise.resolve()
        .then(() => fn.apply(self, args))
        .then(
          (value) => ({ resolved: value }),
          (error: unknown) => error,
        );
      expect(error, `${at}: rejects with an EnforcerError`).toBeInstanceOf(EnforcerError);
      await this.check(error, step.rejects, `${at}: error`);
      return;
    }
    const result = await fn.apply(self, args);
    this.save(step.save, result);
    if (step.expect !== undefined) await this.check(result, step.expect, `${at}: result`);
  }

  private async siwe(step: Extract<Step, { siwe: Data }>, where: string) {
    const tenantCode = String(await this.value(step.siwe, where));
    if (step.wallet && !this.vars[step.wallet])
      this.vars[step.wallet] = privateKeyToAccount(generatePrivateKey());
    const wallet = step.wallet
      ? (this.vars[step.wallet] as PrivateKeyAccount)
      : privateKeyToAccount(generatePrivateKey());
    const nonce = await this.request(
      { request: 'POST /auth/siwe/nonce', body: { tenant_code: tenantCode } },
      where,
    );
    expect(nonce.status, `${where}: the SIWE nonce`).toBe(200);
    const o = ((await this.value(step.overrides ?? {}, where)) ?? {}) as Record<string, unknown>;
    const now = this.env.clock.now();
    const at = (seconds: unknown) =>
      seconds === undefined ? undefined : new Date(now + Number(seconds) * 1000);
    const message = createSiweMessage({
      address: wallet.address,
      domain: (o.domain as string) ?? SIWE.domain,
      uri: (o.uri as string) ?? `${SIWE.uri}/login`,
      version: '1',
      chainId: (o.chainId as number) ?? 8453,
      nonce: nonce.body.nonce,
      issuedAt: at(o.issuedIn) ?? new Date(now),
      ...(o.expiresIn === undefined ? {} : { expirationTime: at(o.expiresIn) }),
      ...(o.notBeforeIn === undefined ? {} : { notBefore: at(o.notBeforeIn) }),
    });
    this.vars[step.save] = {
      message,
      signature: await wallet.signMessage({ message }),
      address: wallet.address,
    };
  }
}

/** The `$`-keys that make values (the rest are checks). */
const MAKE = new Set([
  '$email',
  '$unique',
  '$phone',
  '$hex',
  '$googleSub',
  '$otherCode',
  '$slice',
  '$claims',
  '$find',
  '$upper',
  '$lower',
  '$nowSeconds',
  '$with',
  '$totp',
  '$googleProof',
  '$tamperSignature',
  '$publicKey',
  '$privyToken',
  '$passkeyCreate',
  '$passkeyGet',
]);
