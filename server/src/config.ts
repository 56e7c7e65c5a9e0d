import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allowedOriginsSchema } from '@enforcer/contract';
import {
  type ClassLimits,
  type PlatformKeyEntry,
  parsePlatformKeys,
  RATE_LIMITS,
  type RateLimitClass,
  rateLimitClasses,
} from '@enforcer/core';
import { z } from 'zod';

/**
 * Configuration, read from the environment once at start and validated with zod.
 * Every problem is reported at once, with the variable name, and the process refuses to start.
 * Durations accept whole seconds (`900`) or a number with a unit (`15m`, `14d`, `10s`, `1h`).
 */
export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Absolute path of the local data folder (embedded PostgreSQL, the development master key). */
  dataDir: string;
  /** External PostgreSQL; undefined means the embedded one under `dataDir/pg`. */
  databaseUrl: string | undefined;
  /** Fixed port for the embedded PostgreSQL; undefined means a free port chosen at start. */
  embeddedPgPort: number | undefined;
  /** 32 bytes: encrypts signing keys at rest and keys the refresh-token successor derivation. */
  masterKey: Buffer;
  /** Where the master key came from, for the start-up log. */
  masterKeySource: 'env' | 'file';
  issuer: string;
  audience: string;
  /** Maximum request body, in bytes. */
  bodyLimit: number;
  trustProxy: boolean;
  /** `POST /tenants/self-serve` is open (`ENFORCER_SELF_SERVE`). */
  allowSelfServe: boolean;
  /**
   * Web origins allowed to call Enforcer from a browser whatever the tenant (`ENFORCER_CORS_ORIGINS`,
   * comma-separated), beside each tenant's `allowed_origins`.
   */
  corsOrigins: string[];
  /** Codes and links one destination and one client address may be sent per clock hour. */
  sendLimits: { perDestinationPerHour: number; perClientPerHour: number };
  /**
   * The general rate limit on every route (`RATE_LIMIT_*`): per route class, requests per window per
   * credential and per client address; counts synced with PostgreSQL every `syncIntervalMs`.
   */
  rateLimits: {
    enabled: boolean;
    windowSeconds: number;
    syncIntervalMs: number;
    classes: Record<RateLimitClass, ClassLimits>;
  };
  tokens: {
    accessTtlSeconds: number;
    refreshIdleTtlSeconds: number;
    refreshAbsoluteTtlSeconds: number;
    refreshGraceSeconds: number;
    clockToleranceSeconds: number;
  };
  keys: {
    /** How long a retired signing key stays published and accepted after rotation. */
    retentionSeconds: number;
    /** Cache lifetime announced for the JWKS; a pending key must be published this long before promotion. */
    jwksMaxAgeSeconds: number;
    /** How long a process keeps the signing-key table in memory before reading it again (a rotation by another process). */
    cacheTtlSeconds: number;
  };
  mail: {
    smtpUrl: string | undefined;
    from: string;
  };
  /** Outside services of the sign-in methods (SMS gateway, Google's keys). */
  authMethods: AuthMethodsConfig;
  /**
   * The deployment operator's platform API keys (`ENFORCER_PLATFORM_API_KEYS` or `_FILE`): name, SHA-256
   * of the key, scopes. None: the `/platform/*` routes answer 401 to everyone.
   */
  platformKeys: PlatformKeyEntry[];
  /** How long a tenant stays `pending_deletion` before it is deleted (`ENFORCER_TENANT_DELETION_GRACE`). */
  tenantDeletionGraceSeconds: number;
  webhooks: WebhooksConfig;
  /**
   * Where social sign-in reaches the presets' fixed providers (GitHub) instead of the real ones
   * (`ENFORCER_OAUTH_TEST_ENDPOINTS`, JSON): tests only, refused unless NODE_ENV=test.
   */
  oauthTestEndpoints: OAuthTestEndpoints | undefined;
  messaging: MessagingConfig;
}

/** The mail outbox's delivery worker (docs/messaging.md). */
export interface MessagingConfig {
  /** This process delivers queued mail (`MESSAGE_WORKER`; default on, off in `test` where tests turn it on). */
  worker: boolean;
  /** How often the worker looks for due messages (it also looks as soon as a request queued one). */
  pollIntervalMs: number;
  /** The first retry's delay; each next one 4 times longer (at most an hour), ±20% jitter. */
  retryBaseMs: number;
  /** Attempts before a message is given up (and deleted). */
  maxAttempts: number;
}

const loopbackOrigin = z
  .url({ protocol: /^https?$/ })
  .refine(isLocalHttpOrHttps, 'a loopback http(s) origin')
  .transform((value) => value.replace(/\/+$/, ''));
const oauthTestEndpointsSchema = z.strictObject({
  github: z.strictObject({ web: loopbackOrigin, api: loopbackOrigin }).optional(),
  microsoft: loopbackOrigin.optional(),
  apple: loopbackOrigin.optional(),
});
export type OAuthTestEndpoints = z.infer<typeof oauthTestEndpointsSchema>;

function isLocalHttpOrHttps(url: string) {
  const { hostname } = new URL(url);
  return ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}

/** Outbound webhooks' delivery worker (docs/webhooks.md). */
export interface WebhooksConfig {
  /** This process delivers (`WEBHOOK_WORKER`; default on, off in `test` where tests turn it on). */
  worker: boolean;
  /** How often the worker looks for due deliveries. */
  pollIntervalMs: number;
  /** The first retry's delay; each next one is 5 times longer (at most 10 hours), ±20% jitter. */
  retryBaseMs: number;
  /** Attempts before a delivery is given up (`failed`). */
  maxAttempts: number;
  /** Deliveries in flight to one endpoint at once, across every process. */
  concurrencyPerEndpoint: number;
  /** An endpoint failing without a success for this long is disabled (audited). */
  disableAfterSeconds: number;
  /** How long one attempt may take. */
  timeoutMs: number;
  /** Events (and their deliveries) older than this are deleted, once no delivery of theirs is pending. */
  retentionSeconds: number;
}

export interface AuthMethodsConfig {
  /** Where Google publishes the keys its ID tokens are signed with. */
  googleJwksUrl: string;
  sms: {
    /** The HTTP SMS gateway (`POST` JSON `{ to, text, from? }`); undefined: development delivery (logged). */
    gatewayUrl: string | undefined;
    /** Sent as `Authorization: Bearer <key>`. */
    apiKey: string | undefined;
    /** Sender id or number, passed to the gateway as `from`. */
    from: string | undefined;
  };
}

/** The parsed configuration before the development master key file is resolved. */
export type ParsedConfig = Omit<Config, 'masterKey' | 'masterKeySource'> & { masterKey: Buffer | undefined };

export class ConfigError extends Error {
  readonly issues: string[];

  constructor(issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `900`, `900s`, `15m`, `1h`, `14d` → seconds. */
export const parseDuration = (value: string): number | undefined => {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
};

const duration = (fallback: string, min: number, max: number) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds === undefined) {
        ctx.addIssue({ code: 'custom', message: `must be a duration like 900, 15m, 14d (got "${value}")` });
        return z.NEVER;
      }
      if (seconds < min || seconds > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min}s and ${max}s (got ${seconds}s)` });
        return z.NEVER;
      }
      return seconds;
    });

const port = z.coerce.number().int().min(0).max(65_535);
const empty = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(empty, schema.optional());

const envSchema = z.object({
  NODE_ENV: z.preprocess(empty, z.enum(['development', 'test', 'production']).default('development')),
  PORT: z.preprocess(empty, port.default(8080)),
  HOST: optional(z.string()),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  ENFORCER_DATA_DIR: z.preprocess(empty, z.string().default('./.enforcer')),
  DATABASE_URL: optional(
    z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }),
  ),
  ENFORCER_EMBEDDED_PG_PORT: optional(port),
  ENFORCER_MASTER_KEY: optional(
    z.string().transform((value, ctx) => {
      const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value.trim())
        ? Buffer.from(value.trim(), 'base64')
        : undefined;
      if (key?.length !== 32) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
        });
        return z.NEVER;
      }
      return key;
    }),
  ),
  ENFORCER_ISSUER: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  ENFORCER_AUDIENCE: z.preprocess(empty, z.string().default('enforcer')),
  ENFORCER_BODY_LIMIT: z.preprocess(empty, z.coerce.number().int().min(1024).max(10_485_760).default(65_536)),
  TRUST_PROXY: z.preprocess(empty, z.stringbool().default(false)),
  ENFORCER_SELF_SERVE: z.preprocess(empty, z.stringbool().default(true)),
  SEND_LIMIT_PER_DESTINATION: z.preprocess(empty, z.coerce.number().int().min(1).max(1_000_000).default(5)),
  SEND_LIMIT_PER_CLIENT: z.preprocess(empty, z.coerce.number().int().min(1).max(1_000_000).default(30)),
  RATE_LIMITS: z.preprocess(empty, z.stringbool().default(true)),
  RATE_LIMIT_WINDOW: duration('60', 1, 3600),
  RATE_LIMIT_SYNC_MS: z.preprocess(empty, z.coerce.number().int().min(20).max(60_000).default(1000)),
  ...(Object.fromEntries(
    rateLimitClasses.flatMap((routeClass) => {
      const name = `RATE_LIMIT_${routeClass.toUpperCase().replace('-', '_')}`;
      const defaults = RATE_LIMITS.classes[routeClass];
      const count = (fallback: number) =>
        z.preprocess(empty, z.coerce.number().int().min(1).max(1_000_000_000).default(fallback));
      return [
        [`${name}_PER_CREDENTIAL`, count(defaults.perCredential)],
        [`${name}_PER_IP`, count(defaults.perIp)],
      ];
    }),
  ) as Record<`RATE_LIMIT_${string}_PER_${'CREDENTIAL' | 'IP'}`, z.ZodType<number, unknown>>),
  ENFORCER_CORS_ORIGINS: z.preprocess(
    (value) =>
      typeof value === 'string' && value.trim() !== '' ? value.split(',').map((o) => o.trim()) : [],
    allowedOriginsSchema,
  ),
  ACCESS_TOKEN_TTL: duration('900', 60, 86_400),
  REFRESH_TOKEN_IDLE_TTL: duration('14d', 300, 365 * 86_400),
  REFRESH_TOKEN_ABSOLUTE_TTL: duration('30d', 300, 365 * 86_400),
  REFRESH_TOKEN_GRACE: duration('10', 0, 120),
  TOKEN_CLOCK_TOLERANCE: duration('10', 0, 300),
  SIGNING_KEY_RETENTION: duration('1d', 60, 365 * 86_400),
  JWKS_MAX_AGE: duration('300', 0, 86_400),
  SIGNING_KEY_CACHE_TTL: duration('60', 1, 3600),
  SMTP_URL: optional(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' })),
  MAIL_FROM: z.preprocess(empty, z.string().default('Enforcer <no-reply@localhost>')),
  GOOGLE_JWKS_URL: z.preprocess(
    empty,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .default('https://www.googleapis.com/oauth2/v3/certs'),
  ),
  SMS_GATEWAY_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  SMS_GATEWAY_API_KEY: optional(z.string().max(1024)),
  SMS_FROM: optional(z.string().max(32)),
  WEBHOOK_WORKER: optional(z.stringbool()),
  WEBHOOK_POLL_INTERVAL_MS: z.preprocess(empty, z.coerce.number().int().min(10).max(600_000).default(1000)),
  WEBHOOK_RETRY_BASE_MS: z.preprocess(empty, z.coerce.number().int().min(1).max(3_600_000).default(10_000)),
  WEBHOOK_MAX_ATTEMPTS: z.preprocess(empty, z.coerce.number().int().min(1).max(50).default(8)),
  WEBHOOK_CONCURRENCY_PER_ENDPOINT: z.preprocess(empty, z.coerce.number().int().min(1).max(100).default(4)),
  WEBHOOK_DISABLE_AFTER: duration('5d', 1, 365 * 86_400),
  WEBHOOK_TIMEOUT_MS: z.preprocess(empty, z.coerce.number().int().min(100).max(60_000).default(15_000)),
  WEBHOOK_RETENTION: duration('30d', 3600, 3650 * 86_400),
  MESSAGE_WORKER: optional(z.stringbool()),
  MESSAGE_POLL_INTERVAL_MS: z.preprocess(empty, z.coerce.number().int().min(10).max(600_000).default(1000)),
  MESSAGE_RETRY_BASE_MS: z.preprocess(empty, z.coerce.number().int().min(1).max(3_600_000).default(10_000)),
  MESSAGE_MAX_ATTEMPTS: z.preprocess(empty, z.coerce.number().int().min(1).max(50).default(10)),
  ENFORCER_PLATFORM_API_KEYS: optional(z.string().max(65_536)),
  ENFORCER_PLATFORM_API_KEYS_FILE: optional(z.string()),
  ENFORCER_TENANT_DELETION_GRACE: duration('30d', 0, 365 * 86_400),
  ENFORCER_OAUTH_TEST_ENDPOINTS: optional(z.string().max(4096)),
});

const isLocalHttp = (url: string) => {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
};

/**
 * Parses and checks the environment (reading nothing but `ENFORCER_PLATFORM_API_KEYS_FILE`). Throws
 * ConfigError listing every problem.
 */
export function parseConfig(env: Record<string, string | undefined> = process.env): ParsedConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const issues: string[] = [];
  const production = e.NODE_ENV === 'production';

  if (production && !e.ENFORCER_MASTER_KEY) {
    issues.push(
      'ENFORCER_MASTER_KEY: required in production (32 random bytes, base64: `openssl rand -base64 32`); it encrypts the signing keys at rest',
    );
  }
  if (production && !e.SMTP_URL) {
    issues.push('SMTP_URL: required in production, so one-time codes and invites can be delivered by mail');
  }
  if (production && !e.ENFORCER_ISSUER) {
    issues.push('ENFORCER_ISSUER: required in production (the public https URL of /api/v1/enforcer)');
  }
  if (
    production &&
    e.ENFORCER_ISSUER &&
    !e.ENFORCER_ISSUER.startsWith('https://') &&
    !isLocalHttp(e.ENFORCER_ISSUER)
  ) {
    issues.push('ENFORCER_ISSUER: must be an https URL in production');
  }
  if (production && e.SMS_GATEWAY_URL && !e.SMS_GATEWAY_URL.startsWith('https://')) {
    issues.push('SMS_GATEWAY_URL: must be an https URL in production');
  }
  let oauthTestEndpoints: OAuthTestEndpoints | undefined;
  if (e.ENFORCER_OAUTH_TEST_ENDPOINTS !== undefined) {
    if (e.NODE_ENV !== 'test') {
      issues.push('ENFORCER_OAUTH_TEST_ENDPOINTS: accepted only with NODE_ENV=test');
    } else {
      let json: unknown;
      try {
        json = JSON.parse(e.ENFORCER_OAUTH_TEST_ENDPOINTS);
      } catch {
        json = undefined;
      }
      const endpoints = oauthTestEndpointsSchema.safeParse(json);
      if (endpoints.success) oauthTestEndpoints = endpoints.data;
      else
        issues.push(
          'ENFORCER_OAUTH_TEST_ENDPOINTS: JSON like {"github":{"web":"http://127.0.0.1:…","api":"…"}}',
        );
    }
  }
  if (e.REFRESH_TOKEN_IDLE_TTL > e.REFRESH_TOKEN_ABSOLUTE_TTL) {
    issues.push('REFRESH_TOKEN_IDLE_TTL: must not exceed REFRESH_TOKEN_ABSOLUTE_TTL');
  }
  if (e.REFRESH_TOKEN_GRACE >= e.REFRESH_TOKEN_IDLE_TTL) {
    issues.push('REFRESH_TOKEN_GRACE: must be shorter than REFRESH_TOKEN_IDLE_TTL');
  }
  if (e.SIGNING_KEY_RETENTION < e.ACCESS_TOKEN_TTL + e.TOKEN_CLOCK_TOLERANCE) {
    issues.push(
      'SIGNING_KEY_RETENTION: must be at least ACCESS_TOKEN_TTL + TOKEN_CLOCK_TOLERANCE, so tokens signed by a retired key stay verifiable until they expire',
    );
  }
  if (e.ENFORCER_PLATFORM_API_KEYS !== undefined && e.ENFORCER_PLATFORM_API_KEYS_FILE !== undefined) {
    issues.push('ENFORCER_PLATFORM_API_KEYS_FILE: set either it or ENFORCER_PLATFORM_API_KEYS, not both');
  }
  const platformKeys = readPlatformKeys(e, issues);
  if (issues.length > 0) throw new ConfigError(issues);

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'silent' : 'info'),
    dataDir: resolve(e.ENFORCER_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    embeddedPgPort: e.ENFORCER_EMBEDDED_PG_PORT,
    masterKey: e.ENFORCER_MASTER_KEY,
    issuer: (e.ENFORCER_ISSUER ?? `http://localhost:${e.PORT}/api/v1/enforcer`).replace(/\/+$/, ''),
    audience: e.ENFORCER_AUDIENCE,
    bodyLimit: e.ENFORCER_BODY_LIMIT,
    trustProxy: e.TRUST_PROXY,
    allowSelfServe: e.ENFORCER_SELF_SERVE,
    corsOrigins: e.ENFORCER_CORS_ORIGINS,
    sendLimits: {
      perDestinationPerHour: e.SEND_LIMIT_PER_DESTINATION,
      perClientPerHour: e.SEND_LIMIT_PER_CLIENT,
    },
    rateLimits: {
      enabled: e.RATE_LIMITS,
      windowSeconds: e.RATE_LIMIT_WINDOW,
      syncIntervalMs: e.RATE_LIMIT_SYNC_MS,
      classes: Object.fromEntries(
        rateLimitClasses.map((routeClass) => {
          const name = `RATE_LIMIT_${routeClass.toUpperCase().replace('-', '_')}`;
          const read = (suffix: string) => (e as unknown as Record<string, number>)[`${name}_${suffix}`]!;
          return [routeClass, { perCredential: read('PER_CREDENTIAL'), perIp: read('PER_IP') }];
        }),
      ) as Record<RateLimitClass, ClassLimits>,
    },
    tokens: {
      accessTtlSeconds: e.ACCESS_TOKEN_TTL,
      refreshIdleTtlSeconds: e.REFRESH_TOKEN_IDLE_TTL,
      refreshAbsoluteTtlSeconds: e.REFRESH_TOKEN_ABSOLUTE_TTL,
      refreshGraceSeconds: e.REFRESH_TOKEN_GRACE,
      clockToleranceSeconds: e.TOKEN_CLOCK_TOLERANCE,
    },
    keys: {
      retentionSeconds: e.SIGNING_KEY_RETENTION,
      jwksMaxAgeSeconds: e.JWKS_MAX_AGE,
      cacheTtlSeconds: e.SIGNING_KEY_CACHE_TTL,
    },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM },
    authMethods: {
      googleJwksUrl: e.GOOGLE_JWKS_URL,
      sms: { gatewayUrl: e.SMS_GATEWAY_URL, apiKey: e.SMS_GATEWAY_API_KEY, from: e.SMS_FROM },
    },
    webhooks: {
      worker: e.WEBHOOK_WORKER ?? e.NODE_ENV !== 'test',
      pollIntervalMs: e.WEBHOOK_POLL_INTERVAL_MS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      concurrencyPerEndpoint: e.WEBHOOK_CONCURRENCY_PER_ENDPOINT,
      disableAfterSeconds: e.WEBHOOK_DISABLE_AFTER,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retentionSeconds: e.WEBHOOK_RETENTION,
    },
    messaging: {
      worker: e.MESSAGE_WORKER ?? e.NODE_ENV !== 'test',
      pollIntervalMs: e.MESSAGE_POLL_INTERVAL_MS,
      retryBaseMs: e.MESSAGE_RETRY_BASE_MS,
      maxAttempts: e.MESSAGE_MAX_ATTEMPTS,
    },
    platformKeys,
    tenantDeletionGraceSeconds: e.ENFORCER_TENANT_DELETION_GRACE,
    oauthTestEndpoints,
  };
}

/** The platform keys' list, from the variable or the file it names (the one read parseConfig does). */
function readPlatformKeys(
  e: {
    ENFORCER_PLATFORM_API_KEYS?: string | undefined;
    ENFORCER_PLATFORM_API_KEYS_FILE?: string | undefined;
  },
  issues: string[],
): PlatformKeyEntry[] {
  let text = e.ENFORCER_PLATFORM_API_KEYS;
  let variable = 'ENFORCER_PLATFORM_API_KEYS';
  if (e.ENFORCER_PLATFORM_API_KEYS_FILE !== undefined) {
    variable = 'ENFORCER_PLATFORM_API_KEYS_FILE';
    try {
      text = readFileSync(e.ENFORCER_PLATFORM_API_KEYS_FILE, 'utf8');
    } catch (error) {
      issues.push(
        `${variable}: cannot read ${e.ENFORCER_PLATFORM_API_KEYS_FILE} (${(error as Error).message})`,
      );
      return [];
    }
  }
  if (text === undefined) return [];
  const parsed = parsePlatformKeys(text);
  issues.push(...parsed.issues.map((issue) => `${variable}: ${issue}`));
  return parsed.keys;
}

export const MASTER_KEY_FILE = 'master.key';

/**
 * Outside production, a missing ENFORCER_MASTER_KEY is generated once into `<dataDir>/master.key`
 * (mode 0600) and reused on later starts, so encrypted signing keys survive restarts.
 */
export function resolveMasterKey(config: ParsedConfig): Config {
  if (config.masterKey) return { ...config, masterKey: config.masterKey, masterKeySource: 'env' };
  if (config.env === 'production') throw new ConfigError(['ENFORCER_MASTER_KEY: required in production']);
  const file = join(config.dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o755 });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ConfigError([`${file}: does not hold 32 base64-encoded bytes`]);
  return { ...config, masterKey: key, masterKeySource: 'file' };
}

/** parseConfig + resolveMasterKey: what `main.ts` and the CLIs call. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config =>
  resolveMasterKey(parseConfig(env));
