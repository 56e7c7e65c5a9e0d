// Every known way to get a forged or misused token past a JWT verifier, each its own test, against
// tokens minted by the real server and keys published by its real JWKS route.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier, type VerifierErrorCode } from '@enforcer/node-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assemble,
  attackerKey,
  b64,
  parts,
  signHs256,
  signRawWithServerKey,
  signWithKey,
  signWithServerKey,
} from './forge';
import { type Member, startEnforcer } from './support';

const enforcer = await startEnforcer();
const verifier = enforcer.verifier();
let member: Member;
let claims: Record<string, unknown>;
let serverKid: string;

const jwksFetches = () => enforcer.requests.filter((r) => r.includes('/.well-known/jwks.json')).length;

async function expectRefused(token: string, code: VerifierErrorCode, v = verifier) {
  const error = await v.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the token was accepted').toBeDefined();
  expect(error).toMatchObject({ name: 'VerifierError', code });
}

beforeAll(async () => {
  member = await enforcer.addAccount('member');
  claims = parts(member.token).payload;
  serverKid = parts(member.token).header.kid as string;
  // The genuine token passes: every refusal below is the attack's doing.
  await expect(verifier.verify(member.token)).resolves.toMatchObject({ accountId: member.accountId });
});

describe('algorithm confusion', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %j with an empty signature', async (alg) => {
    await expectRefused(assemble({ alg, typ: 'at+jwt', kid: serverKid }, claims, ''), 'disallowed_algorithm');
  });

  it('refuses alg none even with a signature segment', async () => {
    const { signature } = parts(member.token);
    await expectRefused(
      assemble({ alg: 'none', typ: 'at+jwt', kid: serverKid }, claims, signature),
      'disallowed_algorithm',
    );
  });

  it('refuses HS256 signed with the server public key (its JWK and its PEM) as the secret', async () => {
    const jwks = (await enforcer.api('GET', '/.well-known/jwks.json')).body;
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === serverKid);
    const { createPublicKey } = await import('node:crypto');
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    for (const secret of [JSON.stringify(jwk), pem]) {
      await expectRefused(signHs256({ kid: serverKid }, claims, secret), 'disallowed_algorithm');
    }
  });

  it('refuses HS256 with an empty secret', async () => {
    await expectRefused(signHs256({ kid: serverKid }, claims, ''), 'disallowed_algorithm');
  });

  it('cannot even be configured to accept none or HMAC', () => {
    for (const alg of ['none', 'HS256', 'HS384', 'HS512', 'es256']) {
      expect(() =>
        createVerifier({
          issuer: enforcer.issuer,
          audience: enforcer.audience,
          jwksUri: enforcer.jwksUri,
          tenantId: enforcer.tenantId,
          policy: { version: 1, resources: {}, roles: {} },
          algorithms: [alg as never],
        }),
      ).toThrow(expect.objectContaining({ code: 'invalid_options' }));
    }
  });

  it('refuses an algorithm outside the allowlist (ES384, RS256, EdDSA) signed by another key', async () => {
    for (const alg of ['ES384', 'RS256', 'EdDSA']) {
      const key = await attackerKey(alg);
      await expectRefused(await signWithKey(key, {}, claims), 'disallowed_algorithm');
    }
  });

  it('refuses a published key used with another algorithm than its own', async () => {
    const wide = enforcer.verifier({ algorithms: ['ES256', 'ES384'] });
    const key = await attackerKey('ES384');
    // The header names the server's ES256 key but claims ES384 (signed by a key of that size).
    await expectRefused(await signWithKey(key, { kid: serverKid }, claims), 'key_mismatch', wide);
  });
});

describe('signatures', () => {
  it('refuses a stripped signature (empty third segment)', async () => {
    const { rawHeader, rawPayload } = parts(member.token);
    await expectRefused(`${rawHeader}.${rawPayload}.`, 'bad_signature');
  });

  it('refuses a token with the signature segment removed entirely', async () => {
    const { rawHeader, rawPayload } = parts(member.token);
    await expectRefused(`${rawHeader}.${rawPayload}`, 'malformed');
  });

  it('refuses a tampered payload (roles raised to owner) under the genuine signature', async () => {
    const { rawHeader, signature } = parts(member.token);
    await expectRefused(assemble(rawHeader, { ...claims, roles: ['owner'] }, signature), 'bad_signature');
  });

  it('refuses a tampered header (another typ spelling) under the genuine signature', async () => {
    const { header, rawPayload, signature } = parts(member.token);
    await expectRefused(
      assemble({ ...header, typ: 'application/at+jwt' }, rawPayload, signature),
      'bad_signature',
    );
  });

  it('refuses the ECDSA r = s = 0 signature ("psychic signatures")', async () => {
    const { rawHeader, rawPayload } = parts(member.token);
    await expectRefused(
      `${rawHeader}.${rawPayload}.${Buffer.alloc(64).toString('base64url')}`,
      'bad_signature',
    );
  });

  it('refuses a signature of the wrong length', async () => {
    const { rawHeader, rawPayload, signature } = parts(member.token);
    const short = Buffer.from(signature, 'base64url').subarray(0, 32).toString('base64url');
    await expectRefused(`${rawHeader}.${rawPayload}.${short}`, 'bad_signature');
  });
});

describe('keys named by the token', () => {
  let hits = 0;
  let attackerUrl = '';
  const attackerServer = createServer((_request, response) => {
    hits++;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [] }));
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => attackerServer.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attackerServer.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => attackerServer.close(() => resolve())));

  it('refuses an embedded jwk header, even one whose kid is the server key', async () => {
    const key = await attackerKey();
    await expectRefused(await signWithKey(key, { jwk: key.publicJwk }, claims), 'forbidden_header');
    await expectRefused(
      await signWithKey(key, { jwk: key.publicJwk, kid: serverKid }, claims),
      'forbidden_header',
    );
  });

  it.each(['jku', 'x5u'])('refuses a %s header and never fetches it', async (name) => {
    const key = await attackerKey();
    const before = jwksFetches();
    await expectRefused(await signWithKey(key, { [name]: attackerUrl }, claims), 'forbidden_header');
    expect(hits).toBe(0);
    expect(jwksFetches()).toBe(before);
  });

  it('refuses an x5c certificate chain header', async () => {
    const key = await attackerKey();
    await expectRefused(await signWithKey(key, { x5c: ['MIIB'] }, claims), 'forbidden_header');
  });

  it('refuses crit and b64 (unencoded payload) headers', async () => {
    const critical = await signRawWithServerKey(enforcer, { crit: ['exp'], exp: 1 }, claims);
    await expectRefused(critical, 'forbidden_header');
    await expectRefused(await signRawWithServerKey(enforcer, { b64: true }, claims), 'forbidden_header');
    // The same hand signing with a plain header is accepted: the refusals are about the headers.
    await expect(verifier.verify(await signRawWithServerKey(enforcer, {}, claims))).resolves.toBeDefined();
  });

  it('refuses an unknown kid signed by another key', async () => {
    const key = await attackerKey();
    await expectRefused(await signWithKey(key, {}, claims), 'unknown_key');
  });

  it('refuses a token without kid', async () => {
    const token = await signWithServerKey(enforcer, { kid: undefined }, claims);
    await expectRefused(token, 'unknown_key');
  });

  it.each([
    '../../../../etc/passwd',
    '/dev/null',
    "' OR '1'='1' --",
    '1; DROP TABLE signing_key',
    'http://127.0.0.1:1/jwks.json',
    '%2e%2e%2f',
  ])('refuses kid %j without fetching anything', async (kid) => {
    const key = await attackerKey();
    const before = jwksFetches();
    await expectRefused(await signWithKey(key, { kid }, claims), 'unknown_key');
    expect(jwksFetches()).toBe(before);
    expect(hits).toBe(0);
  });
});

describe('token type', () => {
  it('refuses a refresh token (opaque)', async () => {
    await expectRefused(member.refreshToken, 'malformed');
  });

  it('refuses a JWT typed as a refresh token, signed by the server key', async () => {
    await expectRefused(await signWithServerKey(enforcer, { typ: 'rt+jwt' }, claims), 'wrong_token_type');
  });

  it('refuses an ID token (typ JWT), signed by the server key', async () => {
    await expectRefused(await signWithServerKey(enforcer, { typ: 'JWT' }, claims), 'wrong_token_type');
  });

  it('refuses a token without typ, signed by the server key', async () => {
    await expectRefused(await signWithServerKey(enforcer, { typ: undefined }, claims), 'wrong_token_type');
  });

  it('accepts the RFC 9068 spelling application/at+jwt', async () => {
    const token = await signWithServerKey(enforcer, { typ: 'application/at+jwt' }, claims);
    await expect(verifier.verify(token)).resolves.toMatchObject({ accountId: member.accountId });
  });
});

describe('claims (signed by the server key)', () => {
  it('refuses a missing audience', async () => {
    const { aud: _aud, ...rest } = claims;
    await expectRefused(await signWithServerKey(enforcer, {}, rest), 'wrong_audience');
  });

  it('refuses another audience', async () => {
    await expectRefused(
      await signWithServerKey(enforcer, {}, { ...claims, aud: 'another-app' }),
      'wrong_audience',
    );
    await expectRefused(
      await signWithServerKey(enforcer, {}, { ...claims, aud: ['another-app'] }),
      'wrong_audience',
    );
  });

  it('accepts the audience in a list', async () => {
    const token = await signWithServerKey(
      enforcer,
      {},
      { ...claims, aud: ['another-app', enforcer.audience] },
    );
    await expect(verifier.verify(token)).resolves.toBeDefined();
  });

  it('refuses a missing issuer', async () => {
    const { iss: _iss, ...rest } = claims;
    await expectRefused(await signWithServerKey(enforcer, {}, rest), 'wrong_issuer');
  });

  it('refuses another issuer', async () => {
    await expectRefused(
      await signWithServerKey(enforcer, {}, { ...claims, iss: `${enforcer.issuer}.evil.example` }),
      'wrong_issuer',
    );
  });

  it('refuses a token of another tenant', async () => {
    await expectRefused(
      await signWithServerKey(enforcer, {}, { ...claims, tenant_id: '00000000-0000-4000-8000-000000000000' }),
      'wrong_tenant',
    );
  });

  it('refuses claims of the wrong shape', async () => {
    await expectRefused(await signWithServerKey(enforcer, {}, { ...claims, roles: 'owner' }), 'malformed');
    await expectRefused(
      await signWithServerKey(enforcer, {}, { ...claims, grant_version: '1' }),
      'malformed',
    );
    const { sid: _sid, ...noSid } = claims;
    await expectRefused(await signWithServerKey(enforcer, {}, noSid), 'malformed');
    // An `act` claim (impersonation, #14) that does not name an account.
    for (const act of ['admin', null, [], {}, { sub: 7 }, { sub: '' }]) {
      await expectRefused(await signWithServerKey(enforcer, {}, { ...claims, act }), 'malformed');
    }
    const acted = await enforcer
      .verifier({ tokenCache: false })
      .verify(await signWithServerKey(enforcer, {}, { ...claims, act: { sub: 'acc_admin' } }));
    expect(acted.actor).toBe('acc_admin');
  });
});

describe('lifetime', () => {
  const now = () => enforcer.clock.now().getTime();
  const at = (ms: number) => enforcer.verifier({ now: () => ms, tokenCache: false });

  it('refuses a token past exp beyond the tolerance, accepts it within', async () => {
    const exp = (claims.exp as number) * 1000;
    await expect(at(exp + 9_000).verify(member.token)).resolves.toBeDefined();
    await expectRefused(member.token, 'expired', at(exp + 10_000));
  });

  it('refuses a cached token once it expires', async () => {
    let t = now();
    const v = enforcer.verifier({ now: () => t });
    await v.verify(member.token);
    t = (claims.exp as number) * 1000 + 10_000;
    await expectRefused(member.token, 'expired', v);
  });

  it('refuses nbf in the future beyond the tolerance, accepts it within', async () => {
    const nowSec = Math.floor(now() / 1000);
    await expect(
      verifier.verify(await signWithServerKey(enforcer, {}, { ...claims, nbf: nowSec + 9 })),
    ).resolves.toBeDefined();
    await expectRefused(
      await signWithServerKey(enforcer, {}, { ...claims, nbf: nowSec + 11 }),
      'not_yet_valid',
    );
  });

  it('refuses a token without exp', async () => {
    const { exp: _exp, ...rest } = claims;
    await expectRefused(await signWithServerKey(enforcer, {}, rest), 'malformed');
  });
});

describe('serialization and encoding', () => {
  it('refuses the JWS JSON serializations (flattened and general)', async () => {
    const { rawHeader, rawPayload, signature } = parts(member.token);
    await expectRefused(
      JSON.stringify({ protected: rawHeader, payload: rawPayload, signature }),
      'malformed',
    );
    await expectRefused(
      JSON.stringify({ payload: rawPayload, signatures: [{ protected: rawHeader, signature }] }),
      'malformed',
    );
  });

  it('refuses a JWE-shaped token (five segments)', async () => {
    await expectRefused(`${member.token}.x.y`, 'malformed');
  });

  it('refuses a header that is not UTF-8', async () => {
    const { rawPayload, signature } = parts(member.token);
    const header = Buffer.from([0x7b, 0x22, 0x61, 0x6c, 0x67, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    await expectRefused(`${header.toString('base64url')}.${rawPayload}.${signature}`, 'malformed');
  });

  it('refuses a payload that is not UTF-8, even when the signature is genuine', async () => {
    const bytes = Buffer.concat([
      Buffer.from(JSON.stringify(claims).slice(0, -1)),
      Buffer.from(',"x":"\xff'),
      Buffer.from([0xff, 0x22, 0x7d]),
    ]);
    await expectRefused(await signWithServerKey(enforcer, {}, new Uint8Array(bytes)), 'malformed');
  });

  it('refuses characters outside base64url and padding', async () => {
    const { rawHeader, rawPayload, signature } = parts(member.token);
    await expectRefused(`${rawHeader}=.${rawPayload}.${signature}`, 'malformed');
    await expectRefused(`${rawHeader}.${rawPayload}.${signature}=`, 'malformed');
    await expectRefused(
      `${rawHeader}.${rawPayload}.${signature.slice(0, 40)} ${signature.slice(40)}`,
      'malformed',
    );
    await expectRefused(`${rawHeader}.${rawPayload}.${signature}\u00e9`, 'malformed');
    // The payload is signed as it is written: a character added to it breaks the signature.
    await expectRefused(`${rawHeader}.${rawPayload} .${signature}`, 'bad_signature');
    await expectRefused(`${rawHeader}.${rawPayload}=.${signature}`, 'bad_signature');
  });

  it('refuses an oversized token before any work', async () => {
    await expectRefused(`${member.token}${'A'.repeat(8192)}`, 'token_too_large');
  });

  it('refuses an oversized token even when genuinely signed', async () => {
    const token = await signWithServerKey(enforcer, {}, { ...claims, groups: Array(800).fill('verified') });
    expect(token.length).toBeGreaterThan(8192);
    await expectRefused(token, 'token_too_large');
  });

  it('refuses things that are not strings', async () => {
    for (const value of [undefined, null, 42, {}, Buffer.from(member.token)]) {
      await expectRefused(value as never, 'malformed');
    }
  });

  it('refuses a header that is JSON but not an object', async () => {
    const { rawPayload, signature } = parts(member.token);
    await expectRefused(`${b64('["ES256"]')}.${rawPayload}.${signature}`, 'malformed');
  });
});
