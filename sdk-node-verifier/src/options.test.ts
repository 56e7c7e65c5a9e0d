import { describe, expect, it } from 'vitest';
import { resolveOptions, type VerifierOptions } from './options';

const base: VerifierOptions = {
  issuer: 'https://auth.example.com/api/v1/enforcer',
  audience: 'enforcer',
  jwksUri: 'https://auth.example.com/api/v1/enforcer/.well-known/jwks.json',
  policy: { baseUrl: 'https://auth.example.com/api/v1/enforcer', apiKey: 'enf_x' },
};

const refused = (options: Partial<VerifierOptions>, message?: RegExp) =>
  expect(() => resolveOptions({ ...base, ...options } as VerifierOptions)).toThrow(
    expect.objectContaining({
      code: 'invalid_options',
      ...(message ? { message: expect.stringMatching(message) } : {}),
    }),
  );

describe('createVerifier options', () => {
  it('defaults: ES256 only, 10 s tolerance, the feed from the policy endpoint, a token cache', () => {
    const o = resolveOptions(base);
    expect([...o.algorithms]).toEqual(['ES256']);
    expect(o.clockToleranceSec).toBe(10);
    expect(o.revocations).toMatchObject({
      endpoint: { baseUrl: 'https://auth.example.com/api/v1/enforcer', apiKey: 'enf_x' },
      pollMs: 5000,
      maxStalenessMs: 300_000,
    });
    expect(o.tokenCacheSize).toBe(10_000);
    expect(o.maxTokenLength).toBe(8192);
  });

  it.each(['none', 'HS256', 'HS384', 'HS512', 'es256', 'RSA1_5', ''])('refuses the algorithm %j', (alg) => {
    refused({ algorithms: [alg as never] }, /not allowed/);
  });

  it('refuses an empty allowlist', () => refused({ algorithms: [] }));

  it('looks up the global fetch at each call, so an interceptor installed after createVerifier is used', async () => {
    const o = resolveOptions(base);
    const original = globalThis.fetch;
    const seen: string[] = [];
    globalThis.fetch = (async (input: string | URL | Request) => {
      seen.push(String(input));
      return new Response('{}');
    }) as typeof fetch;
    try {
      await o.fetch('https://auth.example.com/x');
    } finally {
      globalThis.fetch = original;
    }
    expect(seen).toEqual(['https://auth.example.com/x']);
  });

  it('caps the clock tolerance at 60 s', () => {
    expect(resolveOptions({ ...base, clockTolerance: 60 }).clockToleranceSec).toBe(60);
    refused({ clockTolerance: 61 });
    refused({ clockTolerance: -1 });
  });

  it('needs exactly one of jwksUri and jwks', () => {
    refused({ jwksUri: undefined });
    refused({ jwks: { keys: [] } });
  });

  it('refuses plain http except to loopback (or when explicitly allowed), and URLs with credentials', () => {
    refused({ jwksUri: 'http://auth.example.com/jwks.json' }, /https/);
    refused({ policy: { baseUrl: 'http://auth.example.com', apiKey: 'k' } }, /https/);
    refused({ jwksUri: 'https://user:pass@auth.example.com/jwks.json' }, /credentials/);
    refused({ jwksUri: 'file:///etc/passwd' });
    expect(resolveOptions({ ...base, jwksUri: 'http://127.0.0.1:8080/jwks.json' }).jwks).toMatchObject({
      kind: 'remote',
    });
    expect(
      resolveOptions({ ...base, jwksUri: 'http://enforcer:8080/jwks.json', allowInsecureHttp: true }).jwks,
    ).toMatchObject({ kind: 'remote' });
  });

  it('needs a tenant without the revocation feed', () => {
    const offline = {
      jwks: { keys: [] },
      jwksUri: undefined,
      policy: { version: 1, resources: {}, roles: {} },
    };
    refused(offline as Partial<VerifierOptions>, /tenantId/);
    refused({ revocations: false }, /tenantId/);
    expect(
      resolveOptions({ ...base, ...offline, tenantId: 't' } as VerifierOptions).revocations,
    ).toBeUndefined();
  });

  it('refuses a remote source without an API key', () => {
    refused({ policy: { baseUrl: 'https://auth.example.com', apiKey: ' ' } }, /apiKey/);
  });

  it('bounds the poll interval, page size, token length and cache size', () => {
    refused({ revocations: { ...base.policy, pollInterval: 61 } as never });
    refused({ revocations: { ...base.policy, pageSize: 0 } as never });
    refused({ maxTokenLength: 100 });
    refused({ tokenCache: { maxEntries: -1 } });
    expect(resolveOptions({ ...base, tokenCache: false }).tokenCacheSize).toBe(0);
    expect(
      resolveOptions({
        ...base,
        revocations: {
          ...(base.policy as { baseUrl: string; apiKey: string }),
          maxStaleness: Number.POSITIVE_INFINITY,
        },
      }).revocations?.maxStalenessMs,
    ).toBe(Number.POSITIVE_INFINITY);
  });
});
