// The KYC module (#16) over HTTP on a real PostgreSQL: settings per tenant (secrets sealed, never answered),
// a verification from POST /kyc/sessions through the development provider's page or a signed Persona
// webhook, and what approval changes: the group, the grant version (revocation feed), POST /authorize.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withPg } from '../support/pg.js';
import {
  expectFieldError,
  expectOk,
  expectProblem,
  type SeededTenant,
  seedTenant,
  uniqueEmail,
} from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;

/** Persona's documented scheme, computed here independently of the server's code. */
const personaHeader = (secret: string, body: string, t = Math.floor(Date.now() / 1000)) =>
  `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

/** A Persona event about an inquiry, pretty-printed (the signature covers these exact bytes). */
const personaEvent = (eventId: string, name: string, referenceId: string, createdAt = new Date()) =>
  JSON.stringify(
    {
      data: {
        type: 'event',
        id: eventId,
        attributes: {
          name,
          'created-at': createdAt.toISOString(),
          payload: {
            data: {
              type: 'inquiry',
              id: `inq_${eventId}`,
              attributes: { status: name.split('.')[1], 'reference-id': referenceId },
            },
          },
        },
      },
    },
    null,
    2,
  );

const sendWebhook = (body: string, signature: string | undefined) =>
  api('POST', '/kyc/webhooks/persona', {
    raw: body,
    headers: signature === undefined ? {} : { 'persona-signature': signature },
  });

const transfersAllowed = async (token: string) =>
  expectOk(await api('POST', '/authorize', { token, body: { action: 'transfers.create' } }))
    .allowed as boolean;

const enableDevelopment = async (t: SeededTenant, extra: Record<string, unknown> = {}) =>
  expectOk(
    await api('PUT', `/tenants/${t.tenant.id}/modules/kyc`, {
      token: t.admin.token,
      body: { enabled: true, provider: 'development', ...extra },
    }),
  );

const enablePersona = async (t: SeededTenant, secret: string, extra: Record<string, unknown> = {}) =>
  expectOk(
    await api('PUT', `/tenants/${t.tenant.id}/modules/kyc`, {
      token: t.admin.token,
      body: {
        enabled: true,
        provider: 'persona',
        template_id: 'itmpl_test',
        webhook_secret: secret,
        ...extra,
      },
    }),
  );

/** POST /kyc/sessions; the development page's token from the answered URL. */
async function startSession(token: string) {
  const session = expectOk(await api('POST', '/kyc/sessions', { token, body: {} }), 201);
  return { ...session, pageToken: new URL(session.url).pathname.split('/').pop() as string };
}

const groupsOf = async (t: SeededTenant, accountId: string) =>
  expectOk(await api('GET', `/directory/accounts/${accountId}/groups`, { apiKey: t.apiKey })).data.map(
    (g: { name: string }) => g.name,
  );

describe('KYC settings (PUT/GET /tenants/{id}/modules/kyc)', () => {
  it('starts off, takes a provider and secrets, seals them at rest and never answers them', async () => {
    const t = await seedTenant(server);
    const path = `/tenants/${t.tenant.id}/modules/kyc`;
    const initial = expectOk(await api('GET', path, { apiKey: t.apiKey }));
    expect(initial).toMatchObject({
      enabled: false,
      group: 'verified',
      webhook_secret_set: false,
      api_key_set: false,
    });

    const secret = 'wbhsec_settings_secret_1';
    const put = await api('PUT', path, {
      token: t.admin.token,
      body: {
        enabled: true,
        provider: 'persona',
        template_id: 'itmpl_1',
        webhook_secret: secret,
        api_key: 'persona_api_key_1',
      },
    });
    const saved = expectOk(put);
    expect(saved).toMatchObject({
      enabled: true,
      provider: 'persona',
      template_id: 'itmpl_1',
      webhook_secret_set: true,
      api_key_set: true,
    });
    expect(JSON.stringify(saved)).not.toContain(secret);
    expect(JSON.stringify(expectOk(await api('GET', path, { apiKey: t.apiKey })))).not.toContain(
      'persona_api_key_1',
    );

    const stored = await withPg(
      server.db.url,
      async (client) =>
        (await client.query('select * from kyc_setting where tenant_id = $1', [t.tenant.id])).rows[0],
    );
    expect(stored.webhook_secret_sealed).toBeTruthy();
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(stored)).not.toContain('persona_api_key_1');

    // Absent keeps a secret, null clears it.
    const kept = expectOk(
      await api('PUT', path, { token: t.admin.token, body: { enabled: true, provider: 'persona' } }),
    );
    expect(kept.webhook_secret_set).toBe(true);
    const cleared = expectOk(
      await api('PUT', path, {
        token: t.admin.token,
        body: { enabled: false, provider: 'persona', api_key: null },
      }),
    );
    expect(cleared).toMatchObject({ enabled: false, api_key_set: false, webhook_secret_set: true });

    const audit = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'kyc.settings.updated' });
    expect(audit.length).toBe(3);
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('refuses Persona without its template and webhook secret, members, and other tenants', async () => {
    const t = await seedTenant(server);
    const other = await seedTenant(server, 'Other');
    const path = `/tenants/${t.tenant.id}/modules/kyc`;
    const problem = expectProblem(
      await api('PUT', path, { token: t.admin.token, body: { enabled: true, provider: 'persona' } }),
      400,
      'validation_failed',
    );
    expectFieldError(problem, 'body.template_id');
    expectFieldError(problem, 'body.webhook_secret');
    expectProblem(
      await api('PUT', path, { token: t.member.token, body: { enabled: true, provider: 'development' } }),
      403,
      'forbidden',
    );
    expectProblem(await api('GET', path, { apiKey: other.apiKey }), 404, 'not_found');
    expectProblem(
      await api('PUT', path, { apiKey: other.apiKey, body: { enabled: true, provider: 'development' } }),
      404,
      'not_found',
    );
    expectProblem(
      await api('PUT', path, { token: t.admin.token, body: { enabled: true, provider: 'nope' } }),
      400,
      'validation_failed',
    );
  });
});

describe('a verification through the development provider', () => {
  it('POST /kyc/sessions → approve on the page → the account joins `verified` and transfers are allowed', async () => {
    const t = await seedTenant(server);
    const person = await t.addAccount('member');
    // Module off: 403.
    expectProblem(
      await api('POST', '/kyc/sessions', { token: person.token, body: {} }),
      403,
      'module_disabled',
    );
    await enableDevelopment(t);
    expect(await transfersAllowed(person.token)).toBe(false);
    expect(expectOk(await api('GET', '/kyc/status', { token: person.token }))).toMatchObject({
      status: 'none',
      level: 'none',
    });

    const session = await startSession(person.token);
    expect(session).toMatchObject({ provider: 'development', status: 'pending' });
    expect(session.url).toContain('/kyc/dev/');
    expect(expectOk(await api('GET', '/kyc/status', { token: person.token })).status).toBe('pending');

    // The hosted-page stand-in: HTML with its own CSP allowing its one script by hash.
    const page = await api('GET', `/kyc/dev/${session.pageToken}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('data-decision="approved"');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);

    const before = await withPg(server.db.url, async (c) =>
      Number(
        (await c.query('select grant_version from account where id = $1', [person.accountId])).rows[0]
          .grant_version,
      ),
    );
    const decided = expectOk(
      await api('POST', `/kyc/dev/${session.pageToken}`, { body: { decision: 'approved' } }),
    );
    expect(decided).toMatchObject({ id: session.id, status: 'approved' });
    expect(await transfersAllowed(person.token)).toBe(true);
    expect(await groupsOf(t, person.accountId)).toContain('verified');
    const after = await withPg(server.db.url, async (c) =>
      Number(
        (await c.query('select grant_version from account where id = $1', [person.accountId])).rows[0]
          .grant_version,
      ),
    );
    expect(after).toBe(before + 1);
    // The revocation feed tells verifiers: the account's grant now carries the group.
    const feed = expectOk(await api('GET', '/revocations', { apiKey: t.apiKey }));
    expect(feed.accounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          account_id: person.accountId,
          groups: expect.arrayContaining(['verified']),
          grant_version: after,
        }),
      ]),
    );
    const status = expectOk(await api('GET', '/kyc/status', { token: person.token }));
    expect(status).toMatchObject({ status: 'approved', level: 'verified', session: { id: session.id } });
    expect(status.verified_at).toEqual(expect.any(String));

    // Audited once, with ids and statuses only.
    const events = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'kyc.status_changed' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      targetId: person.accountId,
      details: { session_id: session.id, from: 'pending', to: 'approved', group: 'verified' },
    });
    expect(JSON.stringify(events[0]!.details)).not.toContain(person.email);

    // A decided session is not decided again; approved persons get their session back without a new one.
    expectProblem(
      await api('POST', `/kyc/dev/${session.pageToken}`, { body: { decision: 'rejected' } }),
      409,
      'conflict',
    );
    const again = expectOk(await api('POST', '/kyc/sessions', { token: person.token, body: {} }));
    expect(again).toMatchObject({ id: session.id, status: 'approved', url: null });
  });

  it('rejection leaves the account out; an unknown page token is a 404', async () => {
    const t = await seedTenant(server);
    const person = await t.addAccount('member');
    await enableDevelopment(t);
    const session = await startSession(person.token);
    expectOk(await api('POST', `/kyc/dev/${session.pageToken}`, { body: { decision: 'rejected' } }));
    expect(await transfersAllowed(person.token)).toBe(false);
    expect(expectOk(await api('GET', '/kyc/status', { token: person.token })).status).toBe('rejected');
    expectProblem(await api('GET', `/kyc/dev/${'x'.repeat(43)}`), 404, 'not_found');
    expectProblem(
      await api('POST', `/kyc/dev/${'x'.repeat(43)}`, { body: { decision: 'approved' } }),
      404,
      'not_found',
    );
  });

  it('the page stops working when the tenant switches provider or the module off', async () => {
    const t = await seedTenant(server);
    const person = await t.addAccount('member');
    await enableDevelopment(t);
    const session = await startSession(person.token);
    await enablePersona(t, 'wbhsec_switched_secret');
    expectProblem(await api('GET', `/kyc/dev/${session.pageToken}`), 404, 'not_found');
    expectProblem(
      await api('POST', `/kyc/dev/${session.pageToken}`, { body: { decision: 'approved' } }),
      404,
      'not_found',
    );
    expect(await transfersAllowed(person.token)).toBe(false);
  });

  it('uses the configured group', async () => {
    const t = await seedTenant(server);
    const person = await t.addAccount('member');
    await enableDevelopment(t, { group: 'kyc_passed' });
    const session = await startSession(person.token);
    expectOk(await api('POST', `/kyc/dev/${session.pageToken}`, { body: { decision: 'approved' } }));
    const groups = await groupsOf(t, person.accountId);
    expect(groups).toContain('kyc_passed');
    expect(groups).not.toContain('verified');
  });
});

describe('a verification through Persona webhooks', () => {
  it('a signed inquiry.approved approves; duplicates are 200; a bad signature or stale timestamp is 401', async () => {
    const t = await seedTenant(server);
    const person = await t.addAccount('member');
    const secret = 'wbhsec_persona_tenant_a';
    await enablePersona(t, secret);
    const session = expectOk(
      await api('POST', '/kyc/sessions', {
        token: person.token,
        body: { redirect_url: 'https://app.example.com/done' },
      }),
      201,
    );
    const url = new URL(session.url);
    expect(url.origin).toBe('https://withpersona.com');
    expect(url.searchParams.get('inquiry-template-id')).toBe('itmpl_test');
    expect(url.searchParams.get('reference-id')).toBe(session.id);
    expect(url.searchParams.get('redirect-uri')).toBe('https://app.example.com/done');

    const body = personaEvent('evt_approve_1', 'inquiry.approved', session.id);
    // Refusals first: nothing changes.
    expectProblem(await sendWebhook(body, undefined), 401, 'webhook_signature_invalid');
    expectProblem(
      await sendWebhook(body, personaHeader('wbhsec_wrong_secret', body)),
      401,
      'webhook_signature_invalid',
    );
    expectProblem(
      await sendWebhook(body.replace('approve_1', 'approve_2'), personaHeader(secret, body)),
      401,
      'webhook_signature_invalid',
    );
    const stale = Math.floor(Date.now() / 1000) - 301;
    expectProblem(
      await sendWebhook(body, personaHeader(secret, body, stale)),
      401,
      'webhook_signature_invalid',
    );
    expect(await transfersAllowed(person.token)).toBe(false);
    const refused = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'kyc.webhook.refused' });
    expect(refused.map((e) => e.details.reason).sort()).toEqual(['mismatch', 'mismatch', 'missing', 'stale']);

    // Signed and fresh: processed once.
    expect(expectOk(await sendWebhook(body, personaHeader(secret, body))).result).toBe('processed');
    expect(await transfersAllowed(person.token)).toBe(true);
    // The same event again (a retry): 200, nothing applied twice.
    expect(expectOk(await sendWebhook(body, personaHeader(secret, body))).result).toBe('duplicate');
    expect(await server.db.auditEvents({ tenantId: t.tenant.id, action: 'kyc.status_changed' })).toHaveLength(
      1,
    );

    // While the secret rotates the header carries two sets; either matching is enough.
    const created = personaEvent('evt_created_1', 'inquiry.created', session.id);
    const both = `${personaHeader('wbhsec_old_secret', created)} ${personaHeader(secret, created)}`;
    expect(expectOk(await sendWebhook(created, both)).result).toBe('ignored');

    // Expiry (and rejection) take the group away again, with another grant-version bump.
    const expired = personaEvent('evt_expired_1', 'inquiry.expired', session.id);
    expect(expectOk(await sendWebhook(expired, personaHeader(secret, expired))).result).toBe('processed');
    expect(await transfersAllowed(person.token)).toBe(false);
    expect(await groupsOf(t, person.accountId)).not.toContain('verified');
    expect(expectOk(await api('GET', '/kyc/status', { token: person.token })).status).toBe('expired');
  });

  it("tenant A's webhook secret cannot decide a session of tenant B", async () => {
    const a = await seedTenant(server, 'Tenant A');
    const b = await seedTenant(server, 'Tenant B');
    await enablePersona(a, 'wbhsec_tenant_a_secret');
    await enablePersona(b, 'wbhsec_tenant_b_secret');
    const personB = await b.addAccount('member');
    const sessionB = expectOk(await api('POST', '/kyc/sessions', { token: personB.token, body: {} }), 201);
    const body = personaEvent('evt_cross_1', 'inquiry.approved', sessionB.id);
    expectProblem(
      await sendWebhook(body, personaHeader('wbhsec_tenant_a_secret', body)),
      401,
      'webhook_signature_invalid',
    );
    expect(await transfersAllowed(personB.token)).toBe(false);
    // An unknown reference is refused the same way.
    const unknown = personaEvent('evt_cross_2', 'inquiry.approved', '00000000-0000-4000-8000-000000000000');
    expectProblem(
      await sendWebhook(unknown, personaHeader('wbhsec_tenant_a_secret', unknown)),
      401,
      'webhook_signature_invalid',
    );
    // B's own secret works.
    expect(expectOk(await sendWebhook(body, personaHeader('wbhsec_tenant_b_secret', body))).result).toBe(
      'processed',
    );
    expect(await transfersAllowed(personB.token)).toBe(true);
  });

  it('concurrent deliveries of one event: exactly one applies', async () => {
    const t = await seedTenant(server);
    const person = await t.addAccount('member');
    const secret = 'wbhsec_concurrent';
    await enablePersona(t, secret);
    const session = expectOk(await api('POST', '/kyc/sessions', { token: person.token, body: {} }), 201);
    const body = personaEvent('evt_race_1', 'inquiry.approved', session.id);
    const answers = await Promise.all([1, 2, 3, 4].map(() => sendWebhook(body, personaHeader(secret, body))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((a) => a.body.result).sort()).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'processed',
    ]);
    expect(await server.db.auditEvents({ tenantId: t.tenant.id, action: 'kyc.status_changed' })).toHaveLength(
      1,
    );
    expect(await transfersAllowed(person.token)).toBe(true);
  });

  it('an older event delivered late does not undo a newer decision', async () => {
    const t = await seedTenant(server);
    const person = await t.addAccount('member');
    const secret = 'wbhsec_out_of_order';
    await enablePersona(t, secret);
    const session = expectOk(await api('POST', '/kyc/sessions', { token: person.token, body: {} }), 201);
    const declined = personaEvent('evt_ooo_2', 'inquiry.declined', session.id, new Date(Date.now() - 10_000));
    expect(expectOk(await sendWebhook(declined, personaHeader(secret, declined))).result).toBe('processed');
    // The approval happened before the decline but arrives after it (a retry): history, not a decision.
    const approved = personaEvent('evt_ooo_1', 'inquiry.approved', session.id, new Date(Date.now() - 60_000));
    expect(expectOk(await sendWebhook(approved, personaHeader(secret, approved))).result).toBe('ignored');
    expect(await transfersAllowed(person.token)).toBe(false);
    expect(expectOk(await api('GET', '/kyc/status', { token: person.token })).status).toBe('rejected');
  });

  it('a rejection after approval removes the group', async () => {
    const t = await seedTenant(server);
    const person = await t.addAccount('member');
    const secret = 'wbhsec_reject_after';
    await enablePersona(t, secret);
    const session = expectOk(await api('POST', '/kyc/sessions', { token: person.token, body: {} }), 201);
    const approve = personaEvent('evt_ra_1', 'inquiry.approved', session.id);
    expectOk(await sendWebhook(approve, personaHeader(secret, approve)));
    expect(await transfersAllowed(person.token)).toBe(true);
    const decline = personaEvent('evt_ra_2', 'inquiry.declined', session.id);
    expectOk(await sendWebhook(decline, personaHeader(secret, decline)));
    expect(await transfersAllowed(person.token)).toBe(false);
    expect(expectOk(await api('GET', '/kyc/status', { token: person.token })).status).toBe('rejected');
  });
});

/** Another account of the same person, in `tenantId` (a copy of the account row: the person's membership). */
const samePersonIn = (accountId: string, tenantId: string) =>
  withPg(server.db.url, async (client) => {
    await client.query('create temp table copied as select * from account where id = $1', [accountId]);
    await client.query('update copied set id = gen_random_uuid(), tenant_id = $1, grant_version = 1', [
      tenantId,
    ]);
    const { rows } = await client.query('insert into account select * from copied returning id, person_id');
    return { accountId: rows[0].id as string, personId: rows[0].person_id as string };
  });

describe('the verification belongs to the person', () => {
  it('carries into a tenant that accepts other tenants’ verifications, and ends there when it ends', async () => {
    const a = await seedTenant(server, 'Verifier');
    const b = await seedTenant(server, 'Accepts others');
    const c = await seedTenant(server, 'Does not');
    const inA = await server.db.seedAccount({
      tenantId: a.tenant.id,
      role: 'member',
      email: uniqueEmail('carried'),
    });
    const inB = await samePersonIn(inA.accountId, b.tenant.id);
    const inC = await samePersonIn(inA.accountId, c.tenant.id);
    const tokenA = (await server.signIn({ accountId: inA.accountId, amr: ['otp'] })).accessToken;
    const tokenB = (await server.signIn({ accountId: inB.accountId, amr: ['otp'] })).accessToken;
    const tokenC = (await server.signIn({ accountId: inC.accountId, amr: ['otp'] })).accessToken;
    const secret = 'wbhsec_verifier_secret';
    await enablePersona(a, secret);
    await enableDevelopment(b, { accept_other_tenants: true });
    await enableDevelopment(c);

    const session = expectOk(await api('POST', '/kyc/sessions', { token: tokenA, body: {} }), 201);
    const approve = personaEvent('evt_carry_1', 'inquiry.approved', session.id);
    expectOk(await sendWebhook(approve, personaHeader(secret, approve)));
    expect(await transfersAllowed(tokenA)).toBe(true);
    expect(expectOk(await api('GET', '/kyc/status', { token: tokenB }))).toMatchObject({
      status: 'none',
      verified_elsewhere: true,
    });

    // B accepts it: approved at once, no provider page.
    const carried = expectOk(await api('POST', '/kyc/sessions', { token: tokenB, body: {} }));
    expect(carried).toMatchObject({ provider: 'carried', status: 'approved', url: null });
    expect(await transfersAllowed(tokenB)).toBe(true);
    // C does not: a provider session like anyone's.
    const own = expectOk(await api('POST', '/kyc/sessions', { token: tokenC, body: {} }), 201);
    expect(own).toMatchObject({ provider: 'development', status: 'pending' });
    expect(await transfersAllowed(tokenC)).toBe(false);

    // The person's verification expires at its provider: it ends in A and in B.
    const expire = personaEvent('evt_carry_2', 'inquiry.expired', session.id);
    expectOk(await sendWebhook(expire, personaHeader(secret, expire)));
    expect(await transfersAllowed(tokenA)).toBe(false);
    expect(await transfersAllowed(tokenB)).toBe(false);
    const bEvents = await server.db.auditEvents({ tenantId: b.tenant.id, action: 'kyc.status_changed' });
    expect(bEvents.map((e) => e.details.to)).toEqual(['approved', 'expired']);
  });
});
