// The contract fuzzer: plans hostile requests for every route of the ts-rest contract, sends them to a
// real server process, and collects what breaks the rules of docs/errors.md (no 5xx, every 4xx a
// problem document with a catalogued code, the server stays up, a refused request writes nothing).
import { randomUUID } from 'node:crypto';
import { basePath, contract, errorStatus, oauthErrorCodes } from '@enforcer/contract';
import {
  ALL,
  CRITICAL,
  DEEP,
  type Hostile,
  PATH_SEGMENTS,
  PROTO,
  QUERY_VALUES,
  RawJson,
  UNWANTED_BODIES,
  WHOLE_BODIES,
} from './pools';
import {
  type Field,
  fieldsOf,
  isolate,
  isSchema,
  type PathSegment,
  requiredOnly,
  type Schema,
  selfNesting,
  validVariants,
} from './schema-values';
import type { RawResponse, ServerProcess } from './server-process';

// ---------------------------------------------------------------------------------------------
// Routes

/** Bodies over the server's limit (64 KiB by default) may be cut off by its 413 before they are sent. */
const SERVER_BODY_LIMIT = 65_536;
const oversizedAndCut = (c: { body?: Buffer | string }, error: unknown): boolean =>
  c.body !== undefined &&
  Buffer.byteLength(c.body) > SERVER_BODY_LIMIT &&
  ['EPIPE', 'ECONNRESET'].includes((error as NodeJS.ErrnoException).code ?? '');

/** `application`: a machine client of the tenant (#18), HTTP Basic with its client id and secret. */
export type PrincipalName = 'anonymous' | 'owner' | 'member' | 'api_key' | 'application';
export const PRINCIPALS: PrincipalName[] = ['anonymous', 'owner', 'member', 'api_key', 'application'];

export interface RouteInfo {
  name: string;
  method: string;
  /** Under the base path, e.g. `/tenants/:id`. */
  path: string;
  auth: string;
  pathParams: string[];
  body: Schema | undefined;
  /** The contract says the route takes no body (POST/PUT/PATCH/DELETE with `c.noBody()` or none). */
  noBody: boolean;
  query: Schema | undefined;
  /** The contract's body is `application/x-www-form-urlencoded` (the OAuth endpoints): bodies are sent so. */
  form: boolean;
}

const isRoute = (value: unknown): value is Record<string, unknown> & { method: string; path: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { method?: unknown }).method === 'string' &&
  typeof (value as { path?: unknown }).path === 'string';

/** Every route of the contract, in contract order. */
export function contractRoutes(router: unknown = contract, prefix: string[] = []): RouteInfo[] {
  const out: RouteInfo[] = [];
  for (const [key, value] of Object.entries(router as Record<string, unknown>)) {
    if (!isRoute(value)) {
      if (typeof value === 'object' && value !== null) out.push(...contractRoutes(value, [...prefix, key]));
      continue;
    }
    const path = value.path.startsWith(basePath) ? value.path.slice(basePath.length) : value.path;
    const body = isSchema(value.body) ? value.body : undefined;
    out.push({
      name: [...prefix, key].join('.'),
      method: value.method,
      path,
      auth: (value.metadata as { auth?: string } | undefined)?.auth ?? 'none',
      pathParams: [...path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!),
      body,
      noBody: value.method !== 'GET' && body === undefined,
      query: isSchema(value.query) ? value.query : undefined,
      form: value.contentType === FORM,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Randomness (seeded)

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Cases

/** What the fuzzer knows about the seeded tenant, to make otherwise valid requests reach deep. */
export interface FuzzContext {
  tenantId: string;
  tenantCode: string;
  ownerAccountId: string;
  memberAccountId: string;
  /** An account no principal uses: the target of role changes, deactivation, unlock. */
  victimAccountId: string;
  groupId: string;
  /** The tenant's policy document (a valid body for `PUT /policy`). */
  policy: unknown;
}

export interface Case {
  route: RouteInfo;
  principal: PrincipalName;
  /** `baseline`, `body`, `body.redirect_url`, `path.id`, `query.limit`, `raw`, ... */
  target: string;
  /** The hostile value, as the report shows it. */
  label: string;
  method: string;
  path: string;
  contentType?: string;
  body?: Buffer;
  /** A 2xx answer is itself a finding (a body on a no-body route, a UTF-16 label, invalid UTF-8). */
  mustRefuse?: string;
}

const INVALID_UTF8 = '\u0002INVALID-UTF8\u0002';

const FORM = 'application/x-www-form-urlencoded';

/** Percent-encodes text's UTF-8 bytes (lone surrogates, which encodeURIComponent throws on, as U+FFFD). */
const percent = (text: string): string =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/**
 * A body for a form route (`application/x-www-form-urlencoded`): an object's members as fields (strings as
 * they are, anything else as its JSON text), invalid UTF-8 percent-encoded where marked; any other value
 * (null, an array, a number: a hostile whole body) as its JSON text.
 */
export function serializeForm(value: unknown): Buffer {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof RawJson)
    return serialize(value);
  const fields = Object.entries(value).map(([key, v]) => {
    const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
    return `${percent(key)}=${text.split(INVALID_UTF8).map(percent).join('a%FF%FE%C3%28%ED%A0%80b')}`;
  });
  return Buffer.from(fields.join('&'), 'utf8');
}

/** JSON text of a value with RawJson pieces spliced in, as bytes; invalid UTF-8 where marked. */
export function serialize(value: unknown): Buffer {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0001RAW${raws.length - 1}\u0001`;
    }
    return v;
  });
  const spliced = (text ?? 'null').replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i: string) => raws[Number(i)]!);
  const marker = JSON.stringify(INVALID_UTF8).slice(1, -1);
  const parts = spliced.split(marker);
  const chunks: Buffer[] = [];
  parts.forEach((part, i) => {
    if (i > 0) chunks.push(Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x62]));
    chunks.push(Buffer.from(part, 'utf8'));
  });
  return Buffer.concat(chunks);
}

const clone = <T>(value: T): T => (value === undefined ? value : structuredClone(value));

function setAt(root: unknown, path: PathSegment[], value: unknown): unknown {
  if (path.length === 0) return value;
  const out = clone(root) as Record<string | number, unknown>;
  let cursor = out;
  for (const segment of path.slice(0, -1)) cursor = cursor[segment] as Record<string | number, unknown>;
  cursor[path[path.length - 1]!] = value;
  return out;
}

/** Values in the generated bodies that should point at real things in the seeded tenant. */
function fixUp(value: unknown, ctx: FuzzContext, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => fixUp(v, ctx));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fixUp(v, ctx, k)]));
  }
  if (typeof value !== 'string') return value;
  if (key === 'tenant_code') return ctx.tenantCode;
  if (key === 'tenant_id') return ctx.tenantId;
  if (key === 'account_id') return ctx.victimAccountId;
  return value;
}

function pathParamValue(route: RouteInfo, param: string, ctx: FuzzContext): string {
  if (param === 'account_id') return ctx.victimAccountId;
  const domain = route.name.split('.')[0];
  if (route.method === 'DELETE' && route.name !== 'groups.removeMember') return randomUUID();
  if (domain === 'tenants' || domain === 'magicLink') return ctx.tenantId;
  if (domain === 'accounts') return ctx.victimAccountId;
  if (route.name === 'groups.listForAccount') return ctx.memberAccountId;
  if (domain === 'groups') return ctx.groupId;
  return randomUUID();
}

/**
 * The principal a route is mostly fuzzed as: the one that gets past authentication (the OAuth endpoints
 * authenticate their client themselves: an application).
 */
export const primaryPrincipal = (route: RouteInfo): PrincipalName =>
  route.name.startsWith('oauth.')
    ? 'application'
    : route.auth === 'none'
      ? 'anonymous'
      : route.auth === 'api_key'
        ? 'api_key'
        : 'owner';

const kindOf = (schema: Schema | undefined): Hostile['kind'] | undefined => {
  const type = schema?._zod?.def?.type;
  if (type === 'string' || type === 'enum' || type === 'literal') return 'string';
  if (type === 'number' || type === 'int' || type === 'bigint') return 'number';
  if (type === 'object' || type === 'record' || type === 'array' || type === 'union' || type === 'tuple')
    return 'deep';
  return undefined;
};

const fieldName = (path: PathSegment[]) =>
  path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');

export interface Target {
  name: string;
  /** Cases for this target, best first; the planner takes them round-robin across targets. */
  values: (() => Case)[];
}

/**
 * Every case for a route. `must` cases are always sent (baselines, whole-body hostiles, raw bytes,
 * unwanted bodies, deep nesting of every object-valued field, every path parameter); `targets` hold the
 * (field, hostile value) cases, which `run` takes round-robin over every field of every route, within
 * the budget, so every field is hit before any is hit twice.
 */
export interface RoutePlan {
  must: Case[];
  targets: Target[];
}

/**
 * The pool for a field of this kind, best first: the values that found bugs before for this kind
 * (NUL, a lone surrogate, "notaurl", Infinity), then the rest of its kind interleaved with wrong types.
 */
function orderPool(kind: Hostile['kind'] | undefined, random: () => number): Hostile[] {
  const own = ALL.filter((h) => h.kind === kind);
  const first = shuffle(
    own.filter((h) => CRITICAL.has(h.label)),
    random,
  );
  const rest = shuffle(
    own.filter((h) => !CRITICAL.has(h.label)),
    random,
  );
  const others = shuffle(
    ALL.filter((h) => h.kind !== kind),
    random,
  );
  const out = [...first];
  while (rest.length > 0 || others.length > 0) {
    const a = rest.shift();
    if (a) out.push(a);
    const b = others.shift();
    if (b) out.push(b);
  }
  return out;
}

export function planRoute(route: RouteInfo, ctx: FuzzContext, random: () => number): RoutePlan {
  const primary = primaryPrincipal(route);
  const others = PRINCIPALS.filter((p) => p !== primary);
  const variants: unknown[] =
    route.name === 'policy.put'
      ? [ctx.policy, ...validVariants(route.body).map((v) => mergePolicy(ctx.policy, v))]
      : route.body
        ? validVariants(route.body).map((v) => fixUp(v, ctx))
        : [undefined];
  const query = route.query
    ? (fixUp(validVariants(route.query)[0], ctx) as Record<string, unknown>)
    : undefined;
  const params = Object.fromEntries(route.pathParams.map((p) => [p, pathParamValue(route, p, ctx)]));

  const make = (
    principal: PrincipalName,
    target: string,
    label: string,
    parts: {
      body?: unknown;
      bodyBytes?: Buffer;
      params?: Record<string, string>;
      query?: string;
      contentType?: string;
      mustRefuse?: string;
    },
  ): Case => {
    const p = { ...params, ...parts.params };
    const path = route.path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => p[name] ?? '');
    const qs = parts.query ?? (query ? encodeQuery(query) : '');
    // A form route gets form bodies, unless the case is about the media type itself.
    const asForm = route.form && parts.contentType === undefined;
    const body =
      parts.bodyBytes ??
      (parts.body !== undefined || 'body' in parts
        ? asForm
          ? serializeForm(parts.body)
          : serialize(parts.body)
        : undefined);
    return {
      route,
      principal,
      target,
      label,
      method: route.method,
      path: `${basePath}${path}${qs ? `?${qs}` : ''}`,
      ...(body !== undefined
        ? { body, contentType: parts.contentType ?? (route.form ? FORM : 'application/json') }
        : {}),
      ...(parts.mustRefuse ? { mustRefuse: parts.mustRefuse } : {}),
    };
  };
  const withBody = (v: unknown) => (route.body ? { body: v } : {});

  const must: Case[] = [];
  // Baselines: the valid request as everyone (the answer may be anything but a 5xx or a non-problem 4xx).
  for (const principal of PRINCIPALS)
    must.push(make(principal, 'baseline', 'valid request', withBody(variants[0])));
  for (const [i, variant] of variants.slice(1).entries())
    must.push(make(primary, 'baseline', `valid request (variant ${i + 2})`, { body: variant }));
  if (route.body) {
    const minimal = requiredOnly(route.body, variants[0]);
    if (JSON.stringify(minimal) !== JSON.stringify(variants[0]) && route.body.safeParse(minimal).success)
      must.push(make(primary, 'baseline', 'valid request, required fields only', { body: minimal }));
  }

  if (route.noBody) {
    for (const h of UNWANTED_BODIES)
      must.push(
        make(primary, 'body', h.label, { body: h.value, mustRefuse: 'a body on a route that takes none' }),
      );
  }
  if (route.body) {
    const valid = variants[0];
    for (const h of WHOLE_BODIES) must.push(make(primary, 'body', h.label, { body: h.value }));
    must.push(
      make(primary, 'body', 'valid body plus "__proto__" key', {
        body: new RawJson(withProtoKey(serialize(valid).toString())),
      }),
    );
    must.push(
      make(primary, 'raw', 'valid body labelled application/json; charset=utf-16', {
        body: valid,
        contentType: 'application/json; charset=utf-16',
        mustRefuse: 'a body labelled charset=utf-16 (parsed as UTF-8)',
      }),
    );
    must.push(make(primary, 'raw', 'valid body as text/plain', { body: valid, contentType: 'text/plain' }));
    must.push(make(primary, 'raw', 'truncated JSON', { bodyBytes: serialize(valid).subarray(0, 5) }));
    const strings = fieldsOf(route.body, valid).filter((f) => typeof f.value === 'string');
    if (strings[0]) {
      must.push(
        make(primary, `body${fieldName(strings[0].path)}`, 'invalid UTF-8 bytes (ff fe c3 28 ed a0 80)', {
          body: setAt(isolate(route.body, valid, strings[0].path), strings[0].path, INVALID_UTF8),
          mustRefuse: 'invalid UTF-8 in a string field',
        }),
      );
    }
  }

  // Deep nesting in every object-valued field: generic, and the schema's own recursion (`{not: {not: …}}`).
  const targets: Target[] = [];
  variants.forEach((variant, vi) => {
    if (!route.body) return;
    const fields = fieldsOf(route.body, variant);
    for (const field of fields) {
      const name = `body${fieldName(field.path)}${vi > 0 ? ` (variant ${vi + 1})` : ''}`;
      if (vi === 0 && (isObjectValued(field) || selfNesting(field.schema).length > 0)) {
        for (const nest of selfNesting(field.schema)) {
          must.push(
            make(primary, name, `${nest.label} nested ${DEEP} deep`, {
              body: setAt(
                isolate(route.body, variant, field.path),
                field.path,
                new RawJson(deepChain(nest.open, nest.close, DEEP)),
              ),
            }),
          );
        }
        must.push(
          make(primary, name, `{"a":{"a":…}} x ${DEEP}`, {
            body: setAt(
              isolate(route.body, variant, field.path),
              field.path,
              ALL.find((h) => h.kind === 'deep' && h.label.startsWith('{'))!.value,
            ),
          }),
        );
      }
      // NUL and a lone surrogate in every string field, always: PostgreSQL cannot store either.
      if (vi === 0 && typeof field.value === 'string') {
        for (const h of ALL.filter(
          (x) => x.label.includes('(NUL)') || x.label.includes('(lone surrogate)'),
        )) {
          must.push(
            make(primary, name, h.label, {
              body: setAt(isolate(route.body, variant, field.path), field.path, h.value),
            }),
          );
        }
      }
      const ordered = orderPool(kindOf(field.schema), random).filter(
        (h) =>
          typeof field.value !== 'string' ||
          !(h.label.includes('(NUL)') || h.label.includes('(lone surrogate)')),
      );
      targets.push({
        name,
        values: ordered.map(
          (h) => () =>
            make(CRITICAL.has(h.label) ? primary : pick(random, primary, others), name, h.label, {
              body: setAt(isolate(route.body, variant, field.path), field.path, h.value),
            }),
        ),
      });
      if (isObjectValued(field) && field.value !== undefined) {
        targets.push({
          name: `${name} (extra keys)`,
          values: PROTO.slice(0, 2).map(
            (h) => () =>
              make(primary, `${name} (extra keys)`, `sibling key from ${h.label}`, {
                body: setAt(isolate(route.body, variant, field.path), field.path, {
                  ...(field.value as object),
                  ...JSON.parse((h.value as RawJson).text),
                }),
              }),
          ),
        });
      }
    }
  });

  // Path parameters: every hostile segment is a must (that is where Fastify's own errors come from).
  for (const param of route.pathParams) {
    for (const segment of PATH_SEGMENTS) {
      must.push(
        make(primary, `path.${param}`, segment.label, {
          ...withBody(variants[0]),
          params: { [param]: segment.raw },
        }),
      );
    }
  }

  if (route.query && query) {
    const keys = new Set([...Object.keys(query), ...Object.keys(unwrapShape(route.query))]);
    for (const key of keys) {
      const values = shuffle(QUERY_VALUES, random).map(
        (q) => () =>
          make(pick(random, primary, others), `query.${key}`, q.label, {
            query: `${encodeQuery({ ...query, [key]: undefined })}&${encodeURIComponent(key)}=${q.raw}`,
          }),
      );
      values.unshift(() =>
        make(primary, `query.${key}`, 'repeated key', {
          query: `${encodeQuery(query)}&${encodeURIComponent(key)}=1&${encodeURIComponent(key)}=2`,
        }),
      );
      values.unshift(() =>
        make(primary, `query.${key}`, 'bracket key', {
          query: `${encodeQuery(query)}&${encodeURIComponent(key)}[a]=1`,
        }),
      );
      targets.push({ name: `query.${key}`, values });
    }
  }

  return { must, targets: shuffle(targets, random) };
}

const pick = (random: () => number, primary: PrincipalName, others: PrincipalName[]): PrincipalName =>
  random() < 0.7 ? primary : others[Math.floor(random() * others.length)]!;

const isObjectValued = (field: Field) =>
  (typeof field.value === 'object' && field.value !== null) ||
  (field.value === undefined && kindOf(field.schema) === 'deep');

/** `{"__proto__":{…},<the object's own members>}` (JSON.parse makes that an own key, not the prototype). */
function withProtoKey(json: string): string {
  const proto = '"__proto__":{"role":"owner","polluted":true}';
  if (!json.startsWith('{')) return `{${proto}}`;
  return json === '{}' ? `{${proto}}` : `{${proto},${json.slice(1)}`;
}

function deepChain(open: string, close: string, depth: number): string {
  return `${open.repeat(depth)}{"exists":"subject.id"}${close.repeat(depth)}`;
}

function unwrapShape(schema: Schema): Record<string, unknown> {
  const def = schema?._zod?.def;
  if (def?.type === 'object') return def.shape;
  if (def?.type === 'pipe') return unwrapShape(def.in);
  if (def?.innerType) return unwrapShape(def.innerType);
  return {};
}

function encodeQuery(query: Record<string, unknown>): string {
  return Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}

/** The tenant's own policy plus the generated rule (with a condition), so the owner keeps their rights. */
function mergePolicy(policy: unknown, generated: unknown): unknown {
  const p = clone(policy) as { rules?: unknown[] };
  const g = generated as { rules?: { effect?: string; actions?: string[]; condition?: unknown }[] };
  const rule = g.rules?.[0];
  if (!rule) return p;
  return {
    ...p,
    rules: [...(p.rules ?? []), { effect: 'deny', actions: ['fuzz.nothing'], condition: rule.condition }],
  };
}

// ---------------------------------------------------------------------------------------------
// Findings

export type FindingKind =
  | 'crash'
  | '5xx'
  | 'no-answer'
  | 'not-problem-json'
  | 'code-not-in-catalogue'
  | 'accepted'
  | 'partial-write'
  | 'stored-replacement-char'
  | 'dead-after-route';

export interface Observation {
  kind: FindingKind;
  status: number | undefined;
  code: string | undefined;
  /** One line: what was wrong. */
  note: string;
}

/**
 * An OAuth error (RFC 6749 §5.2) from an OAuth endpoint (`oauth.*`): JSON `{ error, error_description }`,
 * `invalid_client` a 401, every other code a 400. Nowhere else is this format accepted.
 */
function isOAuthError(c: Case, status: number, contentType: string, parsed: unknown): boolean {
  if (!c.route.name.startsWith('oauth.') || (status !== 400 && status !== 401)) return false;
  if (!contentType.startsWith('application/json')) return false;
  const error = (parsed as { error?: unknown } | undefined)?.error;
  if (typeof error !== 'string' || !(oauthErrorCodes as readonly string[]).includes(error)) return false;
  return status === (error === 'invalid_client' ? 401 : 400);
}

/** Checks one answer against the rules; an empty list means it is fine. */
export function judge(c: Case, response: RawResponse): Observation[] {
  const out: Observation[] = [];
  const contentType = String(response.headers['content-type'] ?? '');
  let parsed: { code?: unknown } | undefined;
  try {
    parsed = JSON.parse(response.text);
  } catch {
    parsed = undefined;
  }
  const status = response.status;
  const code = status >= 400 && typeof parsed?.code === 'string' ? parsed.code : undefined;
  if (status >= 500) {
    out.push({ kind: '5xx', status, code, note: truncate(response.text, 200) });
  } else if (isOAuthError(c, status, contentType, parsed)) {
    // The one documented exception (docs/errors.md): OAuth endpoints answer 400/401 in OAuth's format.
  } else if (status >= 400) {
    if (!contentType.startsWith('application/problem+json')) {
      out.push({
        kind: 'not-problem-json',
        status,
        code,
        note: `content-type ${contentType || '(none)'}: ${truncate(response.text, 160)}`,
      });
    } else if (!code || !(code in errorStatus)) {
      out.push({ kind: 'code-not-in-catalogue', status, code, note: truncate(response.text, 160) });
    } else if (errorStatus[code as keyof typeof errorStatus] !== status) {
      out.push({
        kind: 'code-not-in-catalogue',
        status,
        code,
        note: `catalogue says ${code} is ${errorStatus[code as keyof typeof errorStatus]}, answered ${status}`,
      });
    }
  } else if (status >= 200 && status < 300 && c.mustRefuse) {
    out.push({ kind: 'accepted', status, code, note: `${c.mustRefuse} answered ${status}` });
  }
  return out;
}

export interface Finding {
  route: string;
  kind: FindingKind;
  status: number | undefined;
  code: string | undefined;
  count: number;
  example: Case;
  note: string;
}

export class Findings {
  private groups = new Map<string, Finding>();

  add(c: Case, o: Observation): void {
    // `accepted` splits by what should have been refused (a UTF-16 label, a body on a no-body route, ...).
    const why = o.kind === 'accepted' ? (c.mustRefuse ?? '') : '';
    const key = [c.route.name, o.kind, o.status ?? '-', o.code ?? '-', why].join(' | ');
    const existing = this.groups.get(key);
    if (!existing) {
      this.groups.set(key, {
        route: c.route.name,
        kind: o.kind,
        status: o.status,
        code: o.code,
        count: 1,
        example: c,
        note: o.note,
      });
      return;
    }
    existing.count++;
    // Keep the smallest example: the easiest to replay by hand.
    if (size(c) < size(existing.example)) {
      existing.example = c;
      existing.note = o.note;
    }
  }

  get list(): Finding[] {
    return [...this.groups.values()];
  }

  get total(): number {
    return this.list.reduce((n, f) => n + f.count, 0);
  }
}

const size = (c: Case) => c.path.length + (c.body?.length ?? 0);

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max)}… (${text.length} chars)` : oneLine;
}

/** A request, readable: method, path and body shortened, principal, and which value it carried. */
export function describe(c: Case): string {
  const path = c.path.length > 160 ? `${c.path.slice(0, 120)}…(${c.path.length} chars)` : c.path;
  const body =
    c.body === undefined ? '' : ` body ${truncate(c.body.toString('utf8').replace(/\ufffd/g, '�'), 160)}`;
  const type = c.contentType && c.contentType !== 'application/json' ? ` [${c.contentType}]` : '';
  return `${c.method} ${path} as ${c.principal}: ${c.target} = ${c.label}${type}${body}`;
}

export function formatReport(findings: Finding[]): string {
  if (findings.length === 0) return 'no findings';
  const order: FindingKind[] = [
    'crash',
    'dead-after-route',
    'no-answer',
    '5xx',
    'not-problem-json',
    'code-not-in-catalogue',
    'accepted',
    'partial-write',
    'stored-replacement-char',
  ];
  const sorted = [...findings].sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.route.localeCompare(b.route),
  );
  return sorted
    .map(
      (f) =>
        `- [${f.kind}] ${f.route} ${f.status ?? '-'} ${f.code ?? '-'} × ${f.count}\n    e.g. ${describe(f.example)}\n    → ${f.note}`,
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// The run

export interface Principals {
  headers(name: PrincipalName): Record<string, string>;
}

export interface RunOptions {
  server: ServerProcess;
  routes: RouteInfo[];
  ctx: FuzzContext;
  principals: Principals;
  /** Before each route: make the principals valid again (sessions, roles, the API key). */
  resetPrincipals(): Promise<void>;
  /** After a route: put back what a successful request of it may have changed that others rely on. */
  afterRoute?(route: RouteInfo): Promise<void>;
  /** A fingerprint per table of what can be read back, and the count of rows holding U+FFFD. */
  snapshot(): Promise<{ tables: Record<string, string>; replacementChars: number }>;
  seed: number;
  /** Requests in total (the `must` cases of each route are sent even past this). */
  requests: number;
  log?: (line: string) => void;
  /** Also probe paths no route has (default true). */
  unknownPaths?: boolean;
  /** Stop fuzzing a (route, target) after it crashed the server this many times (default 1; a route: twice that). */
  crashesPerTarget?: number;
}

export interface RunResult {
  findings: Finding[];
  sent: number;
  skipped: number;
  /** Of `sent`: the fixed cases (baselines, whole bodies, raw bytes, deep nesting, path parameters). */
  fixed: number;
  restarts: number;
  ms: number;
  statusCounts: Record<string, number>;
}

/** [a1, b1, c1, a2, b2, ...] */
function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}

const UNKNOWN_PATH: RouteInfo = {
  name: '(no such route)',
  method: 'GET',
  path: '/no-such-route',
  auth: 'none',
  pathParams: [],
  body: undefined,
  noBody: false,
  form: false,
  query: undefined,
};

const routeCrashes = (crashes: Map<string, number>) => [...crashes.values()].reduce((n, c) => n + c, 0);

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function run(options: RunOptions): Promise<RunResult> {
  const { server, ctx, principals, seed } = options;
  let routes = options.routes;
  const log = options.log ?? (() => {});
  const random = rng(seed);
  const findings = new Findings();
  const crashesPerTarget = options.crashesPerTarget ?? 1;
  const statusCounts: Record<string, number> = {};
  let sent = 0;
  let skipped = 0;
  let restarts = 0;
  const started = Date.now();

  const restart = async () => {
    restarts++;
    await server.stop();
    await server.start();
  };

  // Plan every route, then share what the budget leaves after the `must` cases: one case per route in
  // turn (small routes run out, big ones get the rest), and within a route one value per field in turn.
  const plans = routes.map((route) => planRoute(route, ctx, random));
  if (options.unknownPaths !== false) {
    // Paths no route has: Fastify's own 404, which must be a problem document too.
    routes = [...routes, UNKNOWN_PATH];
    const probe = (label: string, method: string, path: string, body?: Buffer): Case => ({
      route: UNKNOWN_PATH,
      principal: 'anonymous',
      target: 'path',
      label,
      method,
      path,
      ...(body ? { body, contentType: 'application/json' } : {}),
    });
    plans.push({
      must: [
        probe('no such route', 'GET', `${basePath}/no-such-route`),
        probe('no such route, with a body', 'POST', `${basePath}/no-such-route`, Buffer.from('{"a":1}')),
        probe('outside the base path', 'GET', '/no-such-route'),
        probe('5,000 characters', 'GET', `${basePath}/${'a'.repeat(5000)}`),
        probe('%ff', 'GET', `${basePath}/%ff`),
      ],
      targets: [],
    });
  }
  // A method the path does not take (`405 method_not_allowed` or `404`, as a problem), once per route.
  for (const [i, route] of routes.entries()) {
    if (route === UNKNOWN_PATH) continue;
    const taken = new Set(
      contractRoutes()
        .filter((r) => r.path === route.path)
        .map((r) => r.method),
    );
    const method = ['PATCH', 'PUT', 'DELETE', 'POST', 'GET'].find((m) => !taken.has(m));
    const baseline = plans[i]!.must[0];
    if (method && baseline) {
      plans[i]!.must.push({
        ...baseline,
        method,
        target: 'method',
        label: `${method} (not a method of this path)`,
      });
    }
  }
  const queues = plans.map((plan) => interleave(plan.targets.map((t) => t.values)));
  const extras: Case[][] = routes.map(() => []);
  let left = options.requests - plans.reduce((n, p) => n + p.must.length, 0);
  for (let round = 0; left > 0; round++) {
    let any = false;
    for (const [i, queue] of queues.entries()) {
      const next = queue[round];
      if (!next || left <= 0) continue;
      any = true;
      left--;
      extras[i]!.push(next());
    }
    if (!any) break;
  }

  for (const [index, route] of routes.entries()) {
    const routeStarted = Date.now();
    if (!server.running || !(await server.alive())) await restart();
    await options.resetPrincipals();
    const cases = [...plans[index]!.must, ...extras[index]!];
    const crashes = new Map<string, number>();
    let before = await options.snapshot();

    /** The server died because of `culprit`: say so, start it again, and check what the crash left written. */
    const recover = async (culprit: Case, error?: unknown, observation = crashObservation(server, error)) => {
      findings.add(culprit, observation);
      crashes.set(culprit.target, (crashes.get(culprit.target) ?? 0) + 1);
      await restart();
      await options.resetPrincipals();
      const after = await options.snapshot();
      const changed = Object.keys(after.tables).filter((t) => after.tables[t] !== before.tables[t]);
      if (changed.length > 0) {
        findings.add(culprit, {
          kind: 'partial-write',
          status: undefined,
          code: undefined,
          note: `crashed the server, yet changed: ${changed.join(', ')}`,
        });
      }
      before = after;
      lastSuspect = undefined;
    };
    let lastSuspect: Case | undefined;
    let routeSent = 0;

    for (const c of cases) {
      if ((crashes.get(c.target) ?? 0) >= crashesPerTarget || routeCrashes(crashes) >= 2 * crashesPerTarget) {
        skipped++;
        continue;
      }
      if (!server.running) {
        // Died after an earlier answer (an unhandled rejection fires after the 500 was sent).
        await recover(lastSuspect ?? c);
      }
      const headers: Record<string, string> = { ...principals.headers(c.principal) };
      if (c.contentType) headers['content-type'] = c.contentType;
      let response: RawResponse | undefined;
      sent++;
      routeSent++;
      try {
        response = await server.send({
          method: c.method,
          path: c.path,
          headers,
          ...(c.body ? { body: c.body } : {}),
        });
      } catch (error) {
        const died = await server.exitsWithin(2000);
        if (died) {
          await recover(c, error);
        } else if (oversizedAndCut(c, error) && (await server.alive(5000))) {
          // The server answered 413 and closed the connection while this client was still writing the
          // body (HTTP/1.1 allows it; curl reads the 413, node:http reports EPIPE): a refusal, not a finding.
        } else {
          const observation: Observation = {
            kind: 'no-answer',
            status: undefined,
            code: undefined,
            note: (error as Error).message,
          };
          // Hung rather than dead: start afresh instead of waiting 15 s for every request left.
          if (await server.alive(5000)) {
            findings.add(c, observation);
            lastSuspect = c;
          } else {
            await recover(c, error, {
              ...observation,
              note: `${observation.note}; /healthz hangs too: restarted`,
            });
          }
        }
        continue;
      }
      const bucket = `${Math.floor(response.status / 100)}xx`;
      statusCounts[bucket] = (statusCounts[bucket] ?? 0) + 1;
      for (const o of judge(c, response)) findings.add(c, o);
      if (response.status >= 500) {
        lastSuspect = c;
        // A crash shows as a 500 and then a shutdown: /healthz stops answering 200 (503 while Fastify
        // closes, then nothing), and the process exits shortly after.
        if (!(await server.alive(2000)) && (await server.exitsWithin(15_000))) {
          await recover(c);
          continue;
        }
      }
      if (WRITES.has(c.method) || response.status >= 500) {
        const after = await options.snapshot();
        if (response.status >= 400) {
          const changed = Object.keys(after.tables).filter((t) => after.tables[t] !== before.tables[t]);
          if (changed.length > 0) {
            findings.add(c, {
              kind: 'partial-write',
              status: response.status,
              code: codeOf(response),
              note: `refused, yet changed: ${changed.join(', ')}`,
            });
          }
        }
        if (after.replacementChars > before.replacementChars) {
          findings.add(c, {
            kind: 'stored-replacement-char',
            status: response.status,
            code: response.status >= 400 ? codeOf(response) : undefined,
            note: `${after.replacementChars - before.replacementChars} more row(s) now hold U+FFFD (bytes silently replaced)`,
          });
        }
        before = after;
      }
    }

    // The server is alive after every route.
    if (!server.running || !(await server.alive())) {
      const culprit = lastSuspect ?? cases[cases.length - 1];
      if (culprit) {
        findings.add(culprit, {
          kind: server.running ? 'dead-after-route' : 'crash',
          status: undefined,
          code: undefined,
          note: server.running ? '/healthz does not answer 200 after this route' : crashNote(server),
        });
      }
      await restart();
    }
    await options.afterRoute?.(route);
    log(`${route.name}: ${routeSent} requests in ${Date.now() - routeStarted} ms`);
  }
  return {
    findings: findings.list,
    sent,
    fixed: plans.reduce((n, p) => n + p.must.length, 0),
    skipped,
    restarts,
    ms: Date.now() - started,
    statusCounts,
  };
}

function codeOf(response: RawResponse): string | undefined {
  try {
    const code = JSON.parse(response.text)?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

function crashNote(server: ServerProcess, error?: unknown): string {
  const lines = server.recentOutput(40);
  const fatal = [...lines].reverse().find((l) => /"level":60|fatal|uncaught|unhandled/i.test(l));
  let reason = fatal ?? lines[lines.length - 1] ?? '';
  try {
    const entry = JSON.parse(reason);
    reason = `${entry.msg}: ${entry.err?.type ?? ''} ${entry.err?.message ?? ''}`;
  } catch {
    // not JSON
  }
  return `the server process exited${error ? ` (${(error as Error).message})` : ''}; it said: ${truncate(reason, 240)}`;
}

const crashObservation = (server: ServerProcess, error?: unknown): Observation => ({
  kind: 'crash',
  status: undefined,
  code: undefined,
  note: crashNote(server, error),
});
