import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, parseDuration } from './config.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

const issuesOf = (env: Record<string, string>): string[] => {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
};

describe('config', () => {
  it('has development defaults', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: undefined,
      masterKey: undefined,
      issuer: 'http://localhost:8080/api/v1/enforcer',
      audience: 'enforcer',
      bodyLimit: 65_536,
      tokens: {
        accessTtlSeconds: 900,
        refreshIdleTtlSeconds: 14 * 86_400,
        refreshAbsoluteTtlSeconds: 30 * 86_400,
        refreshGraceSeconds: 10,
      },
    });
    expect(config.dataDir).toBe(join(process.cwd(), '.enforcer'));
    expect(config.allowSelfServe).toBe(true);
    expect(parseConfig({ ENFORCER_SELF_SERVE: 'false' }).allowSelfServe).toBe(false);
  });

  it('derives the default issuer from PORT and accepts durations with units', () => {
    const config = parseConfig({ PORT: '9000', ACCESS_TOKEN_TTL: '5m', REFRESH_TOKEN_IDLE_TTL: '2h' });
    expect(config.issuer).toBe('http://localhost:9000/api/v1/enforcer');
    expect(config.tokens.accessTtlSeconds).toBe(300);
    expect(config.tokens.refreshIdleTtlSeconds).toBe(7200);
    expect(parseDuration('14d')).toBe(1_209_600);
    expect(parseDuration('ten')).toBeUndefined();
  });

  it('names every invalid variable at once', () => {
    const issues = issuesOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      ENFORCER_MASTER_KEY: 'c2hvcnQ=',
      ACCESS_TOKEN_TTL: 'soon',
      SMTP_URL: 'http://mail',
    });
    expect(issues.map((issue) => issue.split(':')[0])).toEqual(
      expect.arrayContaining(['PORT', 'DATABASE_URL', 'ENFORCER_MASTER_KEY', 'ACCESS_TOKEN_TTL', 'SMTP_URL']),
    );
    expect(issues.join('\n')).toContain('32 random bytes');
  });

  it('reads platform API keys from ENFORCER_PLATFORM_API_KEYS or the file _FILE names, hashes only', () => {
    expect(parseConfig({}).platformKeys).toEqual([]);
    const hash = 'ab'.repeat(32);
    const line = `ops ${hash} platform.tenants.read,platform.tenants.update`;
    expect(parseConfig({ ENFORCER_PLATFORM_API_KEYS: line }).platformKeys).toEqual([
      { name: 'ops', hash, scopes: ['platform.tenants.read', 'platform.tenants.update'] },
    ]);
    const file = join(mkdtempSync(join(tmpdir(), 'enforcer-platform-')), 'keys');
    writeFileSync(file, `# operators\n${line}\nbilling ${'cd'.repeat(32)} platform.tenants.read\n`);
    expect(parseConfig({ ENFORCER_PLATFORM_API_KEYS_FILE: file }).platformKeys.map((k) => k.name)).toEqual([
      'ops',
      'billing',
    ]);
    expect(
      issuesOf({ ENFORCER_PLATFORM_API_KEYS: `ops enfp_${'A'.repeat(43)} platform.tenants.read` }),
    ).toEqual([expect.stringMatching(/^ENFORCER_PLATFORM_API_KEYS: entry 1: .*SHA-256/)]);
    expect(issuesOf({ ENFORCER_PLATFORM_API_KEYS: line, ENFORCER_PLATFORM_API_KEYS_FILE: file })).toEqual([
      expect.stringContaining('not both'),
    ]);
    expect(issuesOf({ ENFORCER_PLATFORM_API_KEYS_FILE: `${file}.missing` })).toEqual([
      expect.stringMatching(/^ENFORCER_PLATFORM_API_KEYS_FILE: cannot read/),
    ]);
  });

  it("takes social sign-in presets' stand-in endpoints only in tests, and only on loopback", () => {
    const value = JSON.stringify({ github: { web: 'http://127.0.0.1:4000/', api: 'http://127.0.0.1:4001' } });
    expect(
      parseConfig({ NODE_ENV: 'test', ENFORCER_OAUTH_TEST_ENDPOINTS: value }).oauthTestEndpoints,
    ).toEqual({
      github: { web: 'http://127.0.0.1:4000', api: 'http://127.0.0.1:4001' },
    });
    expect(parseConfig({}).oauthTestEndpoints).toBeUndefined();
    for (const env of ['development', 'production']) {
      expect(issuesOf({ NODE_ENV: env, ENFORCER_OAUTH_TEST_ENDPOINTS: value }).join('\n')).toMatch(
        /ENFORCER_OAUTH_TEST_ENDPOINTS: accepted only with NODE_ENV=test/,
      );
    }
    const remote = JSON.stringify({ github: { web: 'https://github.example', api: 'https://api.example' } });
    expect(issuesOf({ NODE_ENV: 'test', ENFORCER_OAUTH_TEST_ENDPOINTS: remote }).join('\n')).toMatch(
      /ENFORCER_OAUTH_TEST_ENDPOINTS/,
    );
  });

  it('checks that lifetimes fit together', () => {
    const issues = issuesOf({
      REFRESH_TOKEN_IDLE_TTL: '40d',
      SIGNING_KEY_RETENTION: '600',
      ACCESS_TOKEN_TTL: '900',
    });
    expect(issues.join('\n')).toMatch(/REFRESH_TOKEN_IDLE_TTL: must not exceed/);
    expect(issues.join('\n')).toMatch(/SIGNING_KEY_RETENTION/);
  });

  it('refuses to start in production without a master key, mail delivery and an issuer', () => {
    const issues = issuesOf({ NODE_ENV: 'production' });
    expect(issues.join('\n')).toMatch(/ENFORCER_MASTER_KEY: required in production/);
    expect(issues.join('\n')).toMatch(/SMTP_URL: required in production/);
    expect(issues.join('\n')).toMatch(/ENFORCER_ISSUER: required in production/);
    expect(
      issuesOf({
        NODE_ENV: 'production',
        ENFORCER_MASTER_KEY: KEY,
        SMTP_URL: 'smtp://mail:25',
        ENFORCER_ISSUER: 'http://auth.example.com/api/v1/enforcer',
      }),
    ).toEqual(['ENFORCER_ISSUER: must be an https URL in production']);
  });

  it('starts in production when everything is set', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      ENFORCER_MASTER_KEY: KEY,
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      ENFORCER_ISSUER: 'https://auth.example.com/api/v1/enforcer/',
      DATABASE_URL: 'postgres://u:p@db:5432/enforcer',
    });
    expect(config.masterKey.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(config.masterKeySource).toBe('env');
    expect(config.issuer).toBe('https://auth.example.com/api/v1/enforcer');
    expect(config.host).toBe('0.0.0.0');
  });

  it('generates the development master key once, mode 0600, and reuses it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'enforcer-config-')), 'data');
    const first = loadConfig({ ENFORCER_DATA_DIR: dir });
    const file = join(dir, 'master.key');
    expect(first.masterKeySource).toBe('file');
    expect(first.masterKey).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(first.masterKey)).toBe(true);
    expect(loadConfig({ ENFORCER_DATA_DIR: dir }).masterKey.equals(first.masterKey)).toBe(true);
  });
});
