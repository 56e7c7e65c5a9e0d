import { randomBytes } from 'node:crypto';
import { AccessTokenService } from '@enforcer/core';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../entities/audit.js';
import { SigningKey } from '../../entities/signing-keys.js';
import { ManualClock } from '../../lib/clock.js';
import { cryptoRandom } from '../../lib/random.js';
import { createTestOrm, testConfig } from '../../testing/index.js';
import { decryptPrivateKey } from './key-material.js';
import { KeyRotationError, SigningKeyStore } from './signing-key-store.js';

const db = await createTestOrm();
afterAll(() => db.close());

const config = testConfig();
const HOUR = 3600;
const RETENTION = 24 * HOUR;
const clock = new ManualClock();
const newStore = (masterKey = config.masterKey) =>
  new SigningKeyStore({
    orm: db.orm,
    masterKey,
    clock,
    random: cryptoRandom,
    retentionSeconds: RETENTION,
    minPendingAgeSeconds: 300,
  });
const store = newStore();
const tokens = new AccessTokenService({
  keys: store,
  clock,
  random: cryptoRandom,
  issuer: config.issuer,
  audience: config.audience,
  ttlSeconds: 900,
  clockToleranceSeconds: 0,
});
const subject = {
  accountId: 'a',
  personId: 'p',
  tenantId: 't',
  sessionId: 's',
  roles: ['member'],
  groups: [],
  amr: ['otp'],
  grantVersion: 1,
};
const kidOf = (token: string) => decodeProtectedHeader(token).kid;
const jwksKids = async () => (await store.getJwks()).keys.map((key) => key.kid);

describe('signing keys', () => {
  beforeAll(async () => {
    // Two processes starting at once still end with exactly one active and one pending key.
    await Promise.all([store.ensureKeys(), newStore().ensureKeys()]);
  });

  it('creates one active and one pending ES256 key, the private half encrypted at rest', async () => {
    const rows = await db.orm.em.fork().find(SigningKey, {});
    expect(rows.map((row) => row.status).sort()).toEqual(['active', 'pending']);
    for (const row of rows) {
      expect(row.alg).toBe('ES256');
      expect(row.publicJwk).not.toHaveProperty('d');
      expect(row.privateKeyIv).toHaveLength(12);
      expect(Buffer.from(row.privateKeyCiphertext).toString('utf8')).not.toContain('"d"');
      await expect(decryptPrivateKey(row, config.masterKey)).resolves.toBeDefined();
      await expect(decryptPrivateKey(row, randomBytes(32))).rejects.toThrow(/wrong ENFORCER_MASTER_KEY/);
    }
    expect((await newStore().ensureKeys()).created).toEqual([]);
  });

  it('publishes the pending key before it signs anything', async () => {
    const rows = await db.orm.em.fork().find(SigningKey, {});
    const active = rows.find((row) => row.status === 'active')!;
    const pending = rows.find((row) => row.status === 'pending')!;
    expect(await jwksKids()).toEqual([active.kid, pending.kid]);
    const jwk = (await store.getJwks()).keys[0]!;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
    expect(kidOf((await tokens.issue(subject)).token)).toBe(active.kid);
  });

  it('refuses to promote a pending key verifiers may not have fetched yet, unless forced', async () => {
    await expect(store.rotate()).rejects.toBeInstanceOf(KeyRotationError);
  });

  it('rotates: pending becomes active, the old key is retired but verifies until retention ends', async () => {
    const before = await db.orm.em.fork().find(SigningKey, {});
    const oldActive = before.find((row) => row.status === 'active')!.kid;
    const oldPending = before.find((row) => row.status === 'pending')!.kid;
    const oldToken = (await tokens.issue(subject)).token;

    clock.advance(600);
    const result = await store.rotate();
    expect(result).toMatchObject({ activated: oldPending, retired: oldActive, pruned: [] });

    const newToken = (await tokens.issue(subject)).token;
    expect(kidOf(newToken)).toBe(oldPending);
    expect(await jwksKids()).toEqual([oldPending, result.pending, oldActive]);
    // A token signed by the retired key still verifies (it has not expired yet)...
    clock.advance(60);
    await expect(tokens.verify(oldToken)).resolves.toMatchObject({ sub: 'a' });
    // ...and a verifier that sees the key only after retention refuses it.
    clock.advance(RETENTION);
    expect(await jwksKids()).not.toContain(oldActive);
    expect(await store.getVerificationKey(oldActive)).toBeUndefined();

    // The next rotation deletes the key whose retention ended, and is audited.
    const next = await store.rotate();
    expect(next.pruned).toEqual([oldActive]);
    const events = await db.orm.em.fork().find(AuditEvent, { action: 'keys.rotated' });
    expect(events).toHaveLength(2);
  });

  it('a forced rotation promotes at once', async () => {
    const result = await store.rotate({ force: true });
    expect(kidOf((await tokens.issue(subject)).token)).toBe(result.activated);
  });

  it('another process verifies the new key at once (pre-published) and signs with it after its cache expires', async () => {
    const other = newStore();
    const otherTokens = new AccessTokenService({ ...tokensOptions(), keys: other });
    const before = (await other.getSigningKey()).kid;
    clock.advance(10); // well inside the other store's 60 s cache
    const result = await store.rotate({ force: true });
    // The promoted key was pending, so the other process already knows it: no reload needed.
    await expect(otherTokens.verify((await tokens.issue(subject)).token)).resolves.toBeDefined();
    // Until its cache expires it still signs with the retired key, which everyone still accepts.
    expect((await other.getSigningKey()).kid).toBe(before);
    await expect(tokens.verify((await otherTokens.issue(subject)).token)).resolves.toBeDefined();
    clock.advance(61);
    expect((await other.getSigningKey()).kid).toBe(result.activated);
  });
});

function tokensOptions() {
  return {
    keys: store,
    clock,
    random: cryptoRandom,
    issuer: config.issuer,
    audience: config.audience,
    ttlSeconds: 900,
    clockToleranceSeconds: 0,
  };
}
