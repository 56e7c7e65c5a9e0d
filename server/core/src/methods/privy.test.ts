import type { PrivySettings } from '@enforcer/contract';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { PrivyTokenVerifier } from './privy.js';
import { isPrivyToken, onePrivyTenant, privyBearerAppId, uuidFromBytes } from './privy-bearer.js';

const now = new Date(Date.UTC(2030, 0, 1));
const nowSeconds = Math.floor(now.getTime() / 1000);
let key: CryptoKey;
let settings: PrivySettings;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  key = pair.privateKey;
  settings = { app_id: 'app-1', verification_key: await exportSPKI(pair.publicKey) } as PrivySettings;
});

const token = (claims: Record<string, unknown> = {}, issuer = 'privy.io', subject = 'did:privy:abc123') =>
  new SignJWT({ sid: 'session-1', ...claims })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(issuer)
    .setAudience('app-1')
    .setSubject(subject)
    .setIssuedAt(nowSeconds - 10)
    .setExpirationTime(nowSeconds + 3600)
    .sign(key);

const verifier = () => new PrivyTokenVerifier({ clock: { now: () => now }, clockToleranceSeconds: 60 });

describe('PrivyTokenVerifier', () => {
  it('gives the DID, session, app id and times of a good token', async () => {
    const result = await verifier().verify(await token(), settings);
    expect(result).toEqual({
      ok: true,
      value: {
        did: 'did:privy:abc123',
        sid: 'session-1',
        appId: 'app-1',
        iat: nowSeconds - 10,
        exp: nowSeconds + 3600,
      },
    });
  });

  it('refuses another issuer, a subject that is no Privy DID, and garbage', async () => {
    expect(await verifier().verify(await token({}, 'evil.io'), settings)).toMatchObject({
      ok: false,
      code: 'provider_token_invalid',
      reason: 'wrong_issuer',
    });
    expect(await verifier().verify(await token({}, 'privy.io', 'someone'), settings)).toMatchObject({
      ok: false,
      code: 'provider_token_invalid',
      reason: 'malformed',
    });
    expect(await verifier().verify('a.b.c', settings)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses an expired token as token_expired', async () => {
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('privy.io')
      .setAudience('app-1')
      .setSubject('did:privy:abc123')
      .setIssuedAt(nowSeconds - 7200)
      .setExpirationTime(nowSeconds - 61)
      .sign(key);
    expect(await verifier().verify(expired, settings)).toMatchObject({
      ok: false,
      code: 'token_expired',
      reason: 'expired',
    });
  });
});

describe('Privy bearer rules', () => {
  it('tells Privy tokens by issuer and reads the app id', async () => {
    const good = await token();
    expect(isPrivyToken(good)).toBe(true);
    expect(isPrivyToken(await token({}, 'other'))).toBe(false);
    expect(isPrivyToken('nope')).toBe(false);
    expect(privyBearerAppId(good)).toEqual({ ok: true, value: 'app-1' });
  });

  it('wants exactly one tenant for an app id', () => {
    expect(onePrivyTenant([])).toMatchObject({ ok: false, code: 'provider_token_invalid' });
    expect(onePrivyTenant(['a', 'b'])).toMatchObject({ ok: false, code: 'bad_request' });
    expect(onePrivyTenant(['a'])).toEqual({ ok: true, value: 'a' });
  });

  it('lays a hash out as a version 8 uuid', () => {
    expect(uuidFromBytes(new Uint8Array(32).fill(0xff))).toBe('ffffffff-ffff-8fff-bfff-ffffffffffff');
  });
});
