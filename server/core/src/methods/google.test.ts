import type { GoogleSettings } from '@enforcer/contract';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTVerifyGetKey, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { GoogleIdTokenVerifier } from './google.js';

const now = new Date(Date.UTC(2030, 0, 1));
const nowSeconds = Math.floor(now.getTime() / 1000);
const settings = { client_ids: ['client-1'] } as GoogleSettings;
let privateKey: CryptoKey;
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
});

const idToken = (claims: Record<string, unknown> = {}) =>
  new SignJWT({
    iss: 'https://accounts.google.com',
    aud: 'client-1',
    sub: '1234567890',
    iat: nowSeconds,
    exp: nowSeconds + 3600,
    nonce: 'n-1',
    email: 'Ann@Example.com',
    email_verified: true,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .sign(privateKey);

const verifier = (getKey: JWTVerifyGetKey = keys, keysAreRemote = false) =>
  new GoogleIdTokenVerifier({
    keys: getKey,
    clock: { now: () => now },
    clockToleranceSeconds: 60,
    keysAreRemote,
  });

describe('GoogleIdTokenVerifier', () => {
  it('proves issuer|subject with the lower-cased email, recording the nonce until expiry + tolerance', async () => {
    const recorded: Array<[string, Date]> = [];
    const result = await verifier().verify({
      token: await idToken(),
      settings,
      nonce: 'n-1',
      recordNonce: (nonce, until) => {
        recorded.push([nonce, until]);
        return true;
      },
    });
    expect(result).toEqual({
      ok: true,
      value: {
        provider: 'google',
        subject: 'https://accounts.google.com|1234567890',
        email: 'ann@example.com',
        emailVerified: true,
      },
    });
    expect(recorded).toEqual([['n-1', new Date((nowSeconds + 3600 + 60) * 1000)]]);
  });

  it('refuses another nonce without recording it, and a replayed one', async () => {
    let recorded = 0;
    const recordNonce = () => {
      recorded++;
      return false;
    };
    const token = await idToken();
    expect(await verifier().verify({ token, settings, nonce: 'other', recordNonce })).toMatchObject({
      ok: false,
      code: 'provider_token_invalid',
      reason: 'nonce_mismatch',
    });
    expect(recorded).toBe(0);
    expect(await verifier().verify({ token, settings, nonce: 'n-1', recordNonce })).toMatchObject({
      ok: false,
      code: 'provider_token_invalid',
      reason: 'nonce_replayed',
    });
  });

  it('refuses a subject Google would not issue', async () => {
    const token = await idToken({ sub: 'a b' });
    expect(await verifier().verify({ token, settings, nonce: 'n-1', recordNonce: () => true })).toMatchObject(
      {
        ok: false,
        reason: 'malformed',
      },
    );
  });

  it('says unavailable when remote keys cannot be had, malformed when local', async () => {
    const failing: JWTVerifyGetKey = () => {
      throw new TypeError('fetch failed');
    };
    const token = await idToken();
    const input = { token, settings, nonce: 'n-1', recordNonce: () => true };
    expect(await verifier(failing, true).verify(input)).toMatchObject({
      ok: false,
      code: 'unavailable',
      reason: 'jwks_unavailable',
    });
    expect(await verifier(failing, false).verify(input)).toMatchObject({
      ok: false,
      code: 'provider_token_invalid',
      reason: 'malformed',
    });
  });
});
