// Privacy (#15) end to end for the sign-in methods beyond email: a person with a phone, a wallet (SIWE) and
// a passkey, who signed in with each, is erased by the deletion job on a real server and PostgreSQL. The
// identities and the passkey are gone (rows deleted), no column the registry declares personal holds the
// phone or the address, every session is over, each method signs in as nobody (the phone and wallet make
// a new person, the passkey is unknown), and the tenant keeps its audit events, with pseudonymous ids and
// the chain whole.
import { processDueDeletions } from '@enforcer/core';
import { initOrm, PostgresUnitOfWork, personalData, TenantPolicyService } from '@enforcer/server';
import { ManualClock } from '@enforcer/server/testing';
import { getAddress } from 'viem';
import { afterAll, describe, expect, it } from 'vitest';
import { withPg } from '../support/index.js';
import { expectOk, seedTenant } from './admin-setup.js';
import { signIn, uniqueEmail } from './auth-fixtures.js';
import { newWallet, SIWE_SETTINGS, setAuthSettings, siweBody, siweProof } from './auth-methods-fixtures.js';
import { startServer } from './harness.js';
import { SoftAuthenticator } from './soft-authenticator.js';

const ORIGIN = 'https://app.example.com';
const PASSKEY = { rp_id: 'example.com', rp_name: 'Acme Pay', origins: [ORIGIN] };
const clock = new ManualClock(new Date());
const server = await startServer({ clock });
const { api } = server;
const t = await seedTenant(server, 'Methods');
await server.db.updateTenant(t.tenant.id, {
  authProviders: ['email_otp', 'phone_otp', 'siwe', 'passkey'],
  allowSignup: true,
});
await setAuthSettings(server.db, t.tenant.id, { passkey: PASSKEY, siwe: SIWE_SETTINGS });
const orm = await initOrm(server.db.url, { poolMax: 2 });
afterAll(() => orm.close(true));
const uow = new PostgresUnitOfWork({ orm, clock, policies: new TenantPolicyService() });

const phone = `+1415${String(Date.now() % 10_000).padStart(4, '0')}321`;

const phoneLogin = async () => {
  const issued = expectOk(
    await api('POST', '/auth/otp/request', { body: { phone, tenant_code: t.tenant.code } }),
  );
  return api('POST', '/auth/login', {
    body: { provider: 'phone_otp', phone, otp: issued.code, tenant_code: t.tenant.code },
  });
};
const siweLogin = async (wallet: ReturnType<typeof newWallet>) => {
  const proof = await siweProof(api, t.tenant.code, wallet, {}, clock.now());
  return api('POST', '/auth/login', {
    body: { provider: 'siwe', ...siweBody(proof), tenant_code: t.tenant.code },
  });
};
const passkeyLogin = async (authenticator: SoftAuthenticator) => {
  const begun = expectOk(
    await api('POST', '/auth/passkey/login/begin', { body: { tenant_code: t.tenant.code } }),
  );
  return api('POST', '/auth/passkey/login/finish', {
    body: {
      tenant_code: t.tenant.code,
      challenge_id: begun.challenge_id,
      credential: authenticator.get(begun.options),
    },
  });
};

/** Rows of a query (PostgreSQL, directly). */
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  withPg(server.db.url, async (pg) => (await pg.query(text, params)).rows as R[]);

/** The registry's personal columns holding any of `values`. */
async function leftovers(values: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const [table, columns] of Object.entries(personalData)) {
    for (const [column, { erasure }] of Object.entries(columns)) {
      if (erasure === 'expires') continue;
      for (const value of values) {
        const [row] = await sql<{ n: number }>(
          `select count(*)::int as n from "${table}" where strpos(lower("${column}"::text), lower($1)) > 0`,
          [value],
        );
        if (row!.n > 0) found.push(`${table}.${column} holds ${value}`);
      }
    }
  }
  return found;
}

describe('erasing a person with a phone, a wallet and a passkey', () => {
  it('the job deletes the identities and the passkey, ends every session, keeps pseudonymous events', async () => {
    const email = uniqueEmail('methods');
    const byEmail = await signIn(api, email, t.tenant.code);
    const personId = byEmail.person.id;
    const accountId = byEmail.account.id;

    // A phone, proven by a code and linked.
    const proof = expectOk(await api('POST', '/auth/otp/request', { body: { phone } })).code;
    expectOk(
      await api('POST', '/auth/identities/phone', { token: byEmail.token, body: { phone, otp: proof } }),
      201,
    );
    // A wallet, linked by a signed SIWE message.
    const wallet = newWallet();
    const address = getAddress(wallet.address);
    const linked = expectOk(
      await api('POST', '/auth/identities/siwe', {
        token: byEmail.token,
        body: siweBody(await siweProof(api, t.tenant.code, wallet, {}, clock.now())),
      }),
      201,
    );
    expect(linked.subject).toBe(address);
    // A passkey, registered on a software authenticator.
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const begun = expectOk(
      await api('POST', '/auth/passkey/register/begin', { token: byEmail.token, body: { name: 'Laptop' } }),
    );
    const made = authenticator.create(begun.options);
    expectOk(
      await api('POST', '/auth/passkey/register/finish', {
        token: byEmail.token,
        body: { challenge_id: begun.challenge_id, credential: made.response },
      }),
      201,
    );

    // A sign-in with each method: a session each, all the same person.
    const sessions = [byEmail];
    for (const login of [phoneLogin(), siweLogin(wallet), passkeyLogin(authenticator)]) {
      const response = await login;
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.person.id).toBe(personId);
      sessions.push(response.body);
    }
    const byProvider = await sql<{ provider: string; n: number }>(
      `select "provider", count(*)::int as n from "person_identity" where "person_id" = $1 group by "provider"`,
      [personId],
    );
    expect(Object.fromEntries(byProvider.map((r) => [r.provider, r.n]))).toMatchObject({
      phone_otp: 1,
      siwe: 1,
    });
    const [passkeys] = await sql<{ n: number }>(
      'select count(*)::int as n from "passkey_credential" where "person_id" = $1',
      [personId],
    );
    expect(passkeys!.n).toBe(1);
    const before = await leftovers([phone, address, email]);
    expect(before.some((l) => l.startsWith('person_identity.subject'))).toBe(true);
    expect(before.some((l) => l.startsWith('audit_event.'))).toBe(true);

    // Asked with a fresh sign-in; the tenant's grace period is 0 days: due at the job's next run.
    expectOk(await api('PATCH', '/privacy-settings', { apiKey: t.apiKey, body: { deletion_grace_days: 0 } }));
    const asked = expectOk(
      await api('POST', '/auth/me/deletion', { token: sessions.at(-1)!.token, body: {} }),
      201,
    );
    expect(await processDueDeletions({ uow, clock })).toBeGreaterThanOrEqual(1);
    expect(
      expectOk(await api('GET', '/deletion-requests?status=completed', { apiKey: t.apiKey })).data,
    ).toContainEqual(expect.objectContaining({ id: asked.id, processed_by: { type: 'system', id: null } }));

    // Rows deleted; nothing declared personal holds the phone, the address or the email.
    expect(await sql('select 1 from "person_identity" where "person_id" = $1', [personId])).toEqual([]);
    expect(await sql('select 1 from "passkey_credential" where "person_id" = $1', [personId])).toEqual([]);
    expect(
      await sql('select 1 from "person_identity" where "subject" = any($1::text[])', [[phone, address]]),
    ).toEqual([]);
    expect(await leftovers([phone, address, address.toLowerCase(), email, 'Laptop'])).toEqual([]);
    const [person] = await sql<{ email: string | null }>('select "email" from "person" where "id" = $1', [
      personId,
    ]);
    expect(person).toEqual({ email: null });
    const [account] = await sql<{ status: string }>('select "status" from "account" where "id" = $1', [
      accountId,
    ]);
    expect(account).toEqual({ status: 'deleted' });

    // Every session ended; their tokens are refused.
    expect(
      await sql('select "id" from "session" where "person_id" = $1 and "revoked_at" is null', [personId]),
    ).toEqual([]);
    expect(
      await sql(
        'select 1 from "refresh_token" where "session_id" in (select "id" from "session" where "person_id" = $1)',
        [personId],
      ),
    ).toEqual([]);
    for (const session of sessions) {
      expect((await api('GET', '/auth/me', { token: session.token })).status).toBe(401);
      expect(
        (await api('POST', '/auth/refresh', { body: { refresh_token: session.refresh_token } })).status,
      ).toBe(401);
    }

    // The tenant keeps the events about the account, under its (now pseudonymous) id, without address
    // or browser; the chain still verifies.
    const all = expectOk(await api('GET', '/audit-events?limit=100', { apiKey: t.apiKey })).data as {
      type: string;
      actor: { id: string | null };
      target: { id: string | null } | null;
      ip: string | null;
      user_agent: string | null;
    }[];
    const events = all.filter((e) =>
      [e.actor.id, e.target?.id].some((id) => id === accountId || id === personId),
    );
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['auth.login.succeeded', 'auth.passkey.registered', 'account.erased']),
    );
    for (const e of events) expect(e).toMatchObject({ ip: null, user_agent: null });
    const kept = await sql<{ action: string }>(
      `select "action" from "audit_event" where ("actor_id" = any($1::text[]) or "target_id" = any($1::text[]))`,
      [[personId, accountId]],
    );
    expect(kept.map((e) => e.action)).toEqual(
      expect.arrayContaining(['auth.passkey.registered', 'auth.login.succeeded', 'privacy.person.erased']),
    );
    expect(JSON.stringify(events)).not.toContain(phone);
    expect(JSON.stringify(events).toLowerCase()).not.toContain(address.toLowerCase());
    expect(expectOk(await api('GET', '/audit-events/verify', { apiKey: t.apiKey }))).toMatchObject({
      ok: true,
      first_break: null,
    });

    // Each method now signs in as nobody known: the phone and the wallet make a new person (sign-up is
    // open), the passkey is unknown.
    const phoneAgain = await phoneLogin();
    expect(phoneAgain.status, JSON.stringify(phoneAgain.body)).toBe(200);
    expect(phoneAgain.body.person.id).not.toBe(personId);
    const walletAgain = await siweLogin(wallet);
    expect(walletAgain.status, JSON.stringify(walletAgain.body)).toBe(200);
    expect(walletAgain.body.person.id).not.toBe(personId);
    expect((await passkeyLogin(authenticator)).status).toBe(401);
  });
});
