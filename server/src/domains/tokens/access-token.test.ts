import { AccessTokenService } from '@enforcer/core';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochSeconds, ManualClock } from '../../lib/clock.js';
import type { AppError } from '../../lib/errors.js';
import { cryptoRandom } from '../../lib/random.js';
import { createTestOrm, testConfig } from '../../testing/index.js';
import { SigningKeyStore } from '../keys/signing-key-store.js';

const db = await createTestOrm();
afterAll(() => db.close());

const config = testConfig();
const clock = new ManualClock();
const keys = new SigningKeyStore({
  orm: db.orm,
  masterKey: config.masterKey,
  clock,
  random: cryptoRandom,
  retentionSeconds: 86_400,
  minPendingAgeSeconds: 300,
});
const options = {
  keys,
  clock,
  random: cryptoRandom,
  issuer: 'http://localhost:8080/api/v1/enforcer',
  audience: 'enforcer',
  ttlSeconds: 900,
  clockToleranceSeconds: 10,
};
const service = new AccessTokenService(options);
const subject = {
  accountId: '5f0c1a8e-0000-4000-8000-000000000001',
  personId: '5f0c1a8e-0000-4000-8000-000000000002',
  tenantId: '5f0c1a8e-0000-4000-8000-000000000003',
  sessionId: '5f0c1a8e-0000-4000-8000-000000000004',
  roles: ['admin'],
  groups: ['verified'],
  amr: ['otp'],
  grantVersion: 3,
};

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return (error as AppError).code;
  }
  return 'accepted';
};

/** A token with the claims we issue, signed by our active key, with header/claims overridden. */
async function forge(header: Record<string, unknown>, claims: Record<string, unknown> = {}) {
  const key = await keys.getSigningKey();
  const iat = epochSeconds(clock.now());
  return new SignJWT({
    person_id: 'p',
    tenant_id: 't',
    sid: 's',
    roles: [],
    groups: [],
    amr: [],
    grant_version: 1,
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...header })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject('a')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 900)
    .setJti('j')
    .sign(key.privateKey);
}

describe('access tokens', () => {
  beforeAll(() => keys.ensureKeys());

  it('issues an ES256 at+jwt with every claim, and verifies it', async () => {
    const issued = await service.issue(subject);
    expect(issued.expiresIn).toBe(900);
    expect(issued.expiresAt.getTime() - clock.now().getTime()).toBe(900_000);
    const [header] = issued.token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: issued.kid,
    });
    const claims = await service.verify(issued.token);
    expect(claims).toEqual({
      iss: options.issuer,
      aud: 'enforcer',
      sub: subject.accountId,
      person_id: subject.personId,
      tenant_id: subject.tenantId,
      sid: subject.sessionId,
      roles: ['admin'],
      groups: ['verified'],
      amr: ['otp'],
      grant_version: 3,
      iat: epochSeconds(clock.now()),
      exp: epochSeconds(clock.now()) + 900,
      jti: issued.jti,
    });
    expect(issued.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await service.issue(subject)).jti).not.toBe(issued.jti);
  });

  it('expires after the TTL, allowing the clock tolerance', async () => {
    const { token } = await service.issue(subject);
    clock.advance(900 + 9);
    expect(await codeOf(service.verify(token))).toBe('accepted');
    clock.advance(2);
    expect(await codeOf(service.verify(token))).toBe('token_expired');
  });

  it('refuses a token whose typ is not at+jwt (e.g. an ID token or a plain JWT)', async () => {
    expect(await codeOf(service.verify(await forge({})))).toBe('accepted');
    expect(await codeOf(service.verify(await forge({ typ: 'JWT' })))).toBe('token_invalid');
    expect(await codeOf(service.verify(await forge({ typ: undefined })))).toBe('token_invalid');
  });

  it('lets a database outage through (503), instead of calling the token invalid', async () => {
    const { token } = await service.issue(subject);
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const unreachable = new AccessTokenService({
      ...options,
      keys: { getVerificationKey: () => Promise.reject(down) } as unknown as SigningKeyStore,
    });
    await expect(unreachable.verify(token)).rejects.toBe(down);
  });

  it('refuses another issuer or audience, and missing claims', async () => {
    const other = new AccessTokenService({
      ...options,
      issuer: 'https://evil.example.com',
      audience: 'other',
    });
    expect(await codeOf(service.verify((await other.issue(subject)).token))).toBe('token_invalid');
    expect(await codeOf(other.verify((await service.issue(subject)).token))).toBe('token_invalid');
    expect(await codeOf(service.verify(await forge({}, { tenant_id: undefined })))).toBe('token_invalid');
  });

  it('refuses keys and algorithms that are not ours', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const kid = (await keys.getSigningKey()).kid;
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setSubject('a')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await codeOf(service.verify(foreign))).toBe('token_invalid');
    const unknownKid = await forge({ kid: 'not-a-key' });
    expect(await codeOf(service.verify(unknownKid))).toBe('token_invalid');
    const hs256 = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .sign(new Uint8Array(32));
    expect(await codeOf(service.verify(hs256))).toBe('token_invalid');
    const none = new UnsecuredJWT({ sub: 'a' })
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .encode();
    expect(await codeOf(service.verify(none))).toBe('token_invalid');
    expect(await codeOf(service.verify('garbage'))).toBe('token_invalid');
  });

  it('refuses a tampered payload', async () => {
    const { token } = await service.issue(subject);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['owner'] })).toString('base64url');
    expect(await codeOf(service.verify(`${header}.${forged}.${signature}`))).toBe('token_invalid');
  });
});
