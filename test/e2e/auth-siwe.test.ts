import { ManualClock } from '@enforcer/server/testing';
import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { expectProblem } from './auth-fixtures.js';
import {
  expectAuditReason,
  methodTenant,
  newWallet,
  randomSignature,
  SIWE_SETTINGS,
  siweProof,
} from './auth-methods-fixtures.js';
import { startServer } from './harness.js';

const clock = new ManualClock(new Date());
const server = await startServer({ clock });
const { api, db } = server;
const tenant = await methodTenant(db, {
  providers: ['siwe', 'email_otp'],
  settings: { siwe: SIWE_SETTINGS },
});

const login = (proof: { message: string; signature: string }, tenantCode = tenant.code) =>
  api('POST', '/auth/login', {
    body: { provider: 'siwe', message: proof.message, signature: proof.signature, tenant_code: tenantCode },
  });

describe('POST /auth/siwe/nonce', () => {
  it('gives 256 random bits as hex (alphanumeric, as EIP-4361 wants), stored only as a hash, with what the message must say', async () => {
    const a = await api('POST', '/auth/siwe/nonce', { body: { tenant_code: tenant.code } });
    const b = await api('POST', '/auth/siwe/nonce', { body: { tenant_code: tenant.code.toLowerCase() } });
    expect(a.status).toBe(200);
    expect(a.body.nonce).toMatch(/^[0-9a-f]{64}$/);
    expect(a.body.nonce).not.toBe(b.body.nonce);
    expect(a.body).toMatchObject({
      domain: 'app.example.com',
      uri: 'https://app.example.com',
      chain_ids: [1, 8453],
    });
    expect(new Date(a.body.expires_at).getTime() - clock.now().getTime()).toBe(300_000);
    const rows = await db.records('authChallenges').find({ purpose: 'siwe' });
    expect(rows.some((row) => row.valueHash === a.body.nonce)).toBe(false);
  });

  it('is refused for a tenant that does not accept siwe (403), has not configured it (403), or does not exist (404)', async () => {
    const emailOnly = await methodTenant(db, {
      providers: ['email_otp'],
      settings: { siwe: SIWE_SETTINGS },
    });
    expectProblem(
      await api('POST', '/auth/siwe/nonce', { body: { tenant_code: emailOnly.code } }),
      403,
      'provider_not_allowed',
    );
    const unconfigured = await methodTenant(db, { providers: ['siwe'] });
    expectProblem(
      await api('POST', '/auth/siwe/nonce', { body: { tenant_code: unconfigured.code } }),
      403,
      'provider_not_configured',
    );
    expectProblem(
      await api('POST', '/auth/siwe/nonce', { body: { tenant_code: 'AAAA-BBBB-CCCC' } }),
      404,
      'not_found',
    );
    expectProblem(await api('POST', '/auth/siwe/nonce', { body: {} }), 400, 'validation_failed');
  });
});

describe('Sign-In with Ethereum', () => {
  it('signs a new wallet up (a person without an email, keyed by the checksummed address), then signs it in again', async () => {
    const wallet = newWallet();
    const first = await login(await siweProof(api, tenant.code, wallet));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.person.email).toBeNull();
    expect(first.body.account.role).toBe('member');
    const identity = await db.records('identities').one({ provider: 'siwe', subject: wallet.address });
    expect(identity.subject).toBe(getAddress(wallet.address));
    expect(identity.person.id).toBe(first.body.person.id);

    const again = await login(await siweProof(api, tenant.code, wallet));
    expect(again.status).toBe(200);
    expect(again.body.person.id).toBe(first.body.person.id);
    expect(again.body.account.id).toBe(first.body.account.id);

    const me = await api('GET', '/auth/me', { token: again.body.token });
    expect(me.body.session.amr).toEqual(['swk']);
    const methods = await api('GET', '/auth/identities', { token: again.body.token });
    expect(methods.body.data).toEqual([
      expect.objectContaining({ provider: 'siwe', subject: getAddress(wallet.address), email: null }),
    ]);
  });

  it('makes one person of two first sign-ins of the same wallet at once', async () => {
    const wallet = newWallet();
    const proofs = await Promise.all([
      siweProof(api, tenant.code, wallet),
      siweProof(api, tenant.code, wallet),
    ]);
    const [a, b] = await Promise.all([login(proofs[0]), login(proofs[1])]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.person.id).toBe(b.body.person.id);
    expect(a.body.account.id).toBe(b.body.account.id);
    expect(await db.records('identities').count({ provider: 'siwe', subject: wallet.address })).toBe(1);
  });

  it('accepts a message with an expiry in the future and any of the allowed chains', async () => {
    const wallet = newWallet();
    const proof = await siweProof(
      api,
      tenant.code,
      wallet,
      {
        chainId: 8453,
        expirationTime: new Date(clock.now().getTime() + 60_000),
        notBefore: new Date(clock.now().getTime() - 60_000),
      },
      clock.now(),
    );
    expect((await login(proof)).status).toBe(200);
  });

  it('spends the nonce: the same signed message does not work twice (401 challenge_invalid)', async () => {
    const proof = await siweProof(api, tenant.code, newWallet());
    expect((await login(proof)).status).toBe(200);
    expectProblem(await login(proof), 401, 'challenge_invalid');
    await expectAuditReason(db, 'nonce_invalid');
  });

  it('refuses a nonce the server never issued, an expired one, and one issued for another tenant', async () => {
    const wallet = newWallet();
    const made = await siweProof(api, tenant.code, wallet);
    const forged = made.message.replace(made.nonce, 'a'.repeat(64));
    expectProblem(
      await login({ message: forged, signature: await wallet.signMessage({ message: forged }) }),
      401,
      'challenge_invalid',
    );

    const late = await siweProof(api, tenant.code, wallet, {}, clock.now());
    clock.advance(301);
    expectProblem(await login(late), 401, 'challenge_invalid');

    const other = await methodTenant(db, { providers: ['siwe'], settings: { siwe: SIWE_SETTINGS } });
    const elsewhere = await siweProof(api, other.code, wallet, {}, clock.now());
    expectProblem(await login(elsewhere), 401, 'challenge_invalid');
    expect((await login(elsewhere, other.code)).status).toBe(200);
  });

  it('refuses a message for another domain, another origin, or a chain the tenant does not accept', async () => {
    const wallet = newWallet();
    expectProblem(
      await login(await siweProof(api, tenant.code, wallet, { domain: 'evil.example.com' }, clock.now())),
      401,
      'invalid_credentials',
    );
    await expectAuditReason(db, 'domain_mismatch');
    expectProblem(
      await login(
        await siweProof(api, tenant.code, wallet, { uri: 'https://evil.example.com/login' }, clock.now()),
      ),
      401,
      'invalid_credentials',
    );
    await expectAuditReason(db, 'uri_mismatch');
    expectProblem(
      await login(await siweProof(api, tenant.code, wallet, { chainId: 137 }, clock.now())),
      401,
      'invalid_credentials',
    );
    await expectAuditReason(db, 'chain_mismatch');
  });

  it('refuses an expired message, one not valid yet, and one issued in the future', async () => {
    const wallet = newWallet();
    const now = clock.now().getTime();
    expectProblem(
      await login(
        await siweProof(api, tenant.code, wallet, { expirationTime: new Date(now - 60_000) }, clock.now()),
      ),
      401,
      'invalid_credentials',
    );
    await expectAuditReason(db, 'expired');
    expectProblem(
      await login(
        await siweProof(api, tenant.code, wallet, { notBefore: new Date(now + 3_600_000) }, clock.now()),
      ),
      401,
      'invalid_credentials',
    );
    await expectAuditReason(db, 'not_yet_valid');
    expectProblem(
      await login(await siweProof(api, tenant.code, wallet, {}, new Date(now + 3_600_000))),
      401,
      'invalid_credentials',
    );
    await expectAuditReason(db, 'issued_in_future');
  });

  it('refuses a signature by another key, a signature that is not one, and a message that is not SIWE', async () => {
    const wallet = newWallet();
    const proof = await siweProof(api, tenant.code, wallet, {}, clock.now());
    const impostor = await newWallet().signMessage({ message: proof.message });
    expectProblem(await login({ message: proof.message, signature: impostor }), 401, 'invalid_credentials');
    await expectAuditReason(db, 'bad_signature');
    const garbage = await siweProof(api, tenant.code, wallet, {}, clock.now());
    expectProblem(
      await login({ message: garbage.message, signature: randomSignature() }),
      401,
      'invalid_credentials',
    );
    expectProblem(
      await login({ message: 'hello, sign me in', signature: randomSignature() }),
      401,
      'invalid_credentials',
    );
    await expectAuditReason(db, 'malformed_message');
  });

  it('answers bad input with 400 problems', async () => {
    const proof = await siweProof(api, tenant.code, newWallet(), {}, clock.now());
    for (const body of [
      { provider: 'siwe', message: proof.message, signature: '0x1234', tenant_code: tenant.code },
      { provider: 'siwe', message: proof.message, tenant_code: tenant.code },
      { provider: 'siwe', message: '', signature: proof.signature, tenant_code: tenant.code },
      { provider: 'siwe', message: 'x'.repeat(5000), signature: proof.signature, tenant_code: tenant.code },
      {
        provider: 'siwe',
        message: proof.message,
        signature: proof.signature,
        tenant_code: tenant.code,
        extra: 1,
      },
    ]) {
      expectProblem(await api('POST', '/auth/login', { body }), 400, 'validation_failed');
    }
  });

  it('is refused by a tenant that does not accept it, and by one that has not configured it', async () => {
    const wallet = newWallet();
    const proof = await siweProof(api, tenant.code, wallet, {}, clock.now());
    const emailOnly = await methodTenant(db, { providers: ['email_otp'] });
    expectProblem(await login(proof, emailOnly.code), 403, 'provider_not_allowed');
    const unconfigured = await methodTenant(db, { providers: ['siwe'] });
    expectProblem(await login(proof, unconfigured.code), 403, 'provider_not_configured');
  });

  it('follows the sign-up rules: an invite-only tenant does not create an account for a new wallet', async () => {
    const closed = await methodTenant(db, {
      providers: ['siwe'],
      settings: { siwe: SIWE_SETTINGS },
      allowSignup: false,
    });
    const proof = await siweProof(api, closed.code, newWallet(), {}, clock.now());
    expectProblem(await login(proof, closed.code), 403, 'signup_disabled');
  });
});
