import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { webCryptoRandom } from '../platform.js';
import { MemorySigningKeys } from '../stores/memory/signing-keys.js';
import { AccessTokenService } from './access-tokens.js';
import type { SigningKeys } from './signing-keys.js';

class TestClock {
  ms = Date.UTC(2030, 0, 1);
  now = () => new Date(this.ms);
}

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

function setup(keys?: SigningKeys) {
  const clock = new TestClock();
  const memoryKeys = new MemorySigningKeys({ clock, retentionSeconds: 3600 });
  const service = new AccessTokenService({
    keys: keys ?? memoryKeys,
    clock,
    random: webCryptoRandom,
    issuer: 'https://auth.example.com',
    audience: 'enforcer',
    ttlSeconds: 900,
    clockToleranceSeconds: 10,
  });
  return { clock, keys: memoryKeys, service };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { code?: string; message: string }) => error.code ?? error.message,
  );

describe('AccessTokenService over memory signing keys', () => {
  it('issues a token it verifies, with every claim of the subject', async () => {
    const { service, clock } = setup();
    const issued = await service.issue({ ...subject, mfaAt: new Date(clock.ms - 5000) });
    const claims = await service.verify(issued.token);
    expect(claims).toMatchObject({
      sub: subject.accountId,
      person_id: subject.personId,
      tenant_id: subject.tenantId,
      sid: subject.sessionId,
      roles: ['admin'],
      groups: ['verified'],
      amr: ['otp'],
      grant_version: 3,
      mfa_at: Math.floor(clock.ms / 1000) - 5,
      iss: 'https://auth.example.com',
      aud: 'enforcer',
      jti: issued.jti,
    });
    expect(issued.expiresAt.getTime() - clock.ms).toBe(900_000);
  });

  it('checks a signature once: the same token again is answered from the verified-token cache', async () => {
    const { service } = setup();
    const { token } = await service.issue(subject);
    const verifySignature = vi.spyOn(crypto.subtle, 'verify');
    try {
      const first = await service.verify(token);
      const again = await service.verify(token);
      expect(again).toEqual(first);
      expect(verifySignature).toHaveBeenCalledTimes(1);
      // Shared between requests, so nobody can change it for the next one.
      expect(Object.isFrozen(again) && Object.isFrozen(again.roles)).toBe(true);
    } finally {
      verifySignature.mockRestore();
    }
  });

  it('knows an account token it verified before, and nothing else (an application token, an unverified one)', async () => {
    const { service } = setup();
    const { token } = await service.issue(subject);
    expect(service.verifiedBefore(token)).toBe(false);
    await service.verify(token);
    expect(service.verifiedBefore(token)).toBe(true);
    const client = await service.issueClient({ clientId: 'app_1', tenantId: subject.tenantId, scopes: [] });
    await service.verifyClient(client.token);
    await expect(codeOf(service.verify(client.token))).resolves.toBe('token_invalid');
    expect(service.verifiedBefore(client.token)).toBe(false);
  });

  it('refuses an expired token (past the tolerance) as token_expired, not before', async () => {
    const { service, clock } = setup();
    const { token } = await service.issue(subject);
    clock.ms += 905_000;
    expect(await codeOf(service.verify(token))).toBe('accepted');
    clock.ms += 10_000;
    expect(await codeOf(service.verify(token))).toBe('token_expired');
  });

  it('keeps accepting a retired key within its retention, and signs with the new one', async () => {
    const { service, keys, clock } = setup();
    const before = await service.issue(subject);
    await keys.rotate();
    const after = await service.issue(subject);
    expect(after.kid).not.toBe(before.kid);
    expect((await keys.getJwks()).keys.map((k) => k.kid)).toEqual([after.kid, before.kid]);
    expect(await codeOf(service.verify(before.token))).toBe('accepted');
    clock.ms += 3_601_000;
    expect((await keys.getJwks()).keys.map((k) => k.kid)).toEqual([after.kid]);
    // Expired anyway by now, but refused for its key first: jose resolves the key before checking exp.
    expect(await codeOf(service.verify(before.token))).toBe('token_invalid');
  });

  it('refuses a token signed by a key that is not ours, even with a known kid', async () => {
    const { service } = setup();
    const mine = await service.issue(subject);
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ ...subject })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: mine.kid })
      .setIssuer('https://auth.example.com')
      .setAudience('enforcer')
      .setSubject(subject.accountId)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti('x')
      .sign(privateKey);
    expect(await codeOf(service.verify(forged))).toBe('token_invalid');
  });

  it('lets a failure to read the keys propagate instead of calling the token invalid', async () => {
    const { service: issuer } = setup();
    const { token } = await issuer.issue(subject);
    const down = new Error('database unavailable');
    const { service } = setup({
      getSigningKey: () => Promise.reject(down),
      getVerificationKey: () => Promise.reject(down),
      getJwks: () => Promise.reject(down),
    });
    await expect(service.verify(token)).rejects.toBe(down);
  });
});

describe('AccessTokenService: the compact JWS it assembles', () => {
  it('is a JWT jose verifies, with exactly the header it names, signed by WebCrypto or by the key own signer', async () => {
    const { keys, service } = setup();
    const plain = await service.issue(subject);
    const active = await keys.getSigningKey();
    let calls = 0;
    const withSigner = setup({
      getSigningKey: async () => ({
        ...active,
        // A signer of its own (the server brings node:crypto's): r || s, as WebCrypto's is.
        sign: async (data) => {
          calls++;
          return new Uint8Array(
            await crypto.subtle.sign(
              { name: 'ECDSA', hash: 'SHA-256' },
              active.privateKey,
              data as Uint8Array<ArrayBuffer>,
            ),
          );
        },
      }),
      getVerificationKey: (kid) => keys.getVerificationKey(kid),
      getJwks: () => keys.getJwks(),
    }).service;
    const signed = await withSigner.issue(subject);
    expect(calls).toBe(1);
    const { jwtVerify, decodeProtectedHeader, createLocalJWKSet } = await import('jose');
    const jwks = createLocalJWKSet(await keys.getJwks());
    for (const { token } of [plain, signed]) {
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: active.kid });
      const { payload } = await jwtVerify(token, jwks, {
        issuer: 'https://auth.example.com',
        audience: 'enforcer',
        typ: 'at+jwt',
        algorithms: ['ES256'],
        currentDate: new Date(Date.UTC(2030, 0, 1)),
      });
      expect(payload).toMatchObject({ sub: subject.accountId, roles: ['admin'], grant_version: 3 });
      // A signature over anything else is refused: one character of the payload changed.
      const [h, p, s] = token.split('.');
      const tampered = `${h}.${p!.slice(0, -2)}${p!.at(-2) === 'A' ? 'B' : 'A'}${p!.at(-1)}.${s}`;
      await expect(
        jwtVerify(tampered, jwks, { currentDate: new Date(Date.UTC(2030, 0, 1)) }),
      ).rejects.toThrow();
    }
  });
});
