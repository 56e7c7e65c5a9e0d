import type { AuthenticationResponse } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import { Challenges } from '../challenges/challenges.js';
import { webCryptoRandom } from '../platform.js';
import { MemoryDatabase } from '../stores/memory/database.js';
import type { TenantRecord } from '../tenants/ports.js';
import { passkeySignIn } from './method.js';
import type { PasskeyRecord } from './ports.js';
import type { WebAuthnVerifier } from './webauthn.js';

// The passkey method's own rules (which credential, whose, the counter, the challenge), with WebAuthn
// itself stubbed: the signature checks are @simplewebauthn's, covered end to end in test/e2e.

const now = new Date(Date.UTC(2031, 0, 1));
const clock = { now: () => now };
const tenant: TenantRecord = {
  id: 'tenant-1',
  code: 'ACME-0000-TEST',
  name: 'Acme',
  logoUrl: null,
  theme: {},
  authProviders: ['passkey'],
  allowedOrigins: [],
  allowSignup: true,
  authSettings: { passkey: { rp_id: 'app.example', origins: ['https://app.example'] } },
  status: 'active',
  statusReason: null,
  statusChangedAt: null,
  deletionDueAt: null,
  createdAt: now,
};
const personId = 'person-1';
const stored: PasskeyRecord = {
  id: 'passkey-1',
  personId,
  credentialId: 'cred-1',
  publicKey: 'key',
  counter: 5,
  transports: ['internal'],
  deviceType: 'singleDevice',
  backedUp: false,
  rpId: 'app.example',
  aaguid: null,
  name: null,
  createdAt: now,
  lastUsedAt: null,
};
const handle = (id: string) => btoa(id).replace(/=+$/, '');

function setup(presentedCounter: number) {
  const db = new MemoryDatabase({ now: clock.now });
  db.tables.passkeys.set(stored.id, structuredClone(stored));
  const challenges = new Challenges({ clock, random: webCryptoRandom });
  const seen: string[] = [];
  const webauthn = {
    verifyAuthentication: async ({ expectedChallenge, credential }) => {
      seen.push(credential.id);
      // The assertion signed the challenge the client was given (the stub says so when it matches).
      return (await expectedChallenge(issuedValue))
        ? { ok: true, newCounter: presentedCounter, backedUp: true }
        : { ok: false, reason: 'challenge_mismatch' };
    },
  } as Pick<WebAuthnVerifier, 'verifyAuthentication'> as WebAuthnVerifier;
  let issuedValue = '';
  const method = passkeySignIn({ clock, random: webCryptoRandom, webauthn, decoyKey: new Uint8Array(32) });
  const begin = async () => {
    const issued = await db.transaction((repos) =>
      challenges.issue(repos.challenges, {
        purpose: 'passkey_login',
        ttlSeconds: 300,
        encoding: 'base64url',
        tenantId: tenant.id,
      }),
    );
    issuedValue = issued.value;
    return issued.id;
  };
  const finish = (challengeId: string, credential: Partial<AuthenticationResponse> = {}, to = tenant) =>
    db.transaction((repos) =>
      method.authenticate(
        { repos, tenant: to, client: { ip: null, userAgent: null } },
        {
          provider: 'passkey',
          tenant_code: to.code,
          challenge_id: challengeId,
          credential: {
            id: 'cred-1',
            rawId: 'cred-1',
            type: 'public-key',
            response: {
              clientDataJSON: 'x',
              authenticatorData: 'x',
              signature: 'x',
              userHandle: handle(personId),
            },
            clientExtensionResults: {},
            ...credential,
          } as AuthenticationResponse,
        },
      ),
    );
  return { db, begin, finish, seen };
}

describe('passkeySignIn', () => {
  it("proves the credential's owner and moves its counter forward", async () => {
    const { db, begin, finish } = setup(6);
    expect(await finish(await begin())).toEqual({ ok: true, identity: { personId } });
    expect(db.tables.passkeys.get(stored.id)).toMatchObject({ counter: 6, backedUp: true, lastUsedAt: now });
  });

  it('spends the challenge whatever the outcome', async () => {
    const { begin, finish } = setup(6);
    const id = await begin();
    expect(await finish(id, { id: 'unknown' })).toMatchObject({ ok: false, reason: 'unknown_credential' });
    expect(await finish(id)).toMatchObject({ ok: false, code: 'challenge_invalid' });
  });

  it('refuses a counter that goes backwards, audits it and keeps the stored counter', async () => {
    const { db, begin, finish } = setup(5);
    expect(await finish(await begin())).toMatchObject({
      ok: false,
      code: 'invalid_credentials',
      reason: 'counter_regression',
    });
    expect(db.tables.passkeys.get(stored.id)?.counter).toBe(5);
    expect(db.tables.audit.map((event) => event.action)).toEqual(['auth.passkey.counter_regression']);
  });

  it('with counter_regression: disable, also removes the credential and audits that', async () => {
    const { db, begin, finish } = setup(3);
    const disabling = {
      ...tenant,
      authSettings: {
        passkey: { rp_id: 'app.example', origins: ['https://app.example'], counter_regression: 'disable' },
      },
    };
    expect(await finish(await begin(), {}, disabling)).toMatchObject({
      ok: false,
      code: 'invalid_credentials',
      reason: 'counter_regression',
    });
    expect(db.tables.passkeys.has(stored.id)).toBe(false);
    const events = db.tables.audit.map((event) => [event.action, event.targetId, event.details]);
    expect(events).toEqual([
      ['auth.passkey.counter_regression', stored.id, expect.objectContaining({ stored_counter: 5 })],
      [
        'auth.passkey.disabled',
        stored.id,
        expect.objectContaining({ reason: 'counter_regression', person_id: personId }),
      ],
    ]);
  });

  it("refuses another person's user handle, another relying party and an unconfigured tenant", async () => {
    const { db, begin, finish, seen } = setup(6);
    expect(
      await finish(await begin(), { response: { userHandle: handle('someone') } as never }),
    ).toMatchObject({ ok: false, reason: 'user_handle_mismatch' });
    db.tables.passkeys.get(stored.id)!.rpId = 'elsewhere.example';
    expect(await finish(await begin())).toMatchObject({ ok: false, reason: 'wrong_rp_id' });
    expect(seen).toEqual([]);
    const bare = { ...tenant, authSettings: {} };
    expect(await finish(await begin(), {}, bare)).toMatchObject({
      ok: false,
      code: 'provider_not_configured',
    });
  });
});
