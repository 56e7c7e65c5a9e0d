// Invites over HTTP (#14), on a production-mode server whose mail really leaves through SMTP: creating one
// mails the tenant's name and an accept link; GET /tenants/{id}/invites lists them with their status
// (pending, accepted, expired, revoked); DELETE revokes (the code stops working); resend mails a new code.
import { ManualClock } from '@enforcer/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, type SeededTenant, seedTenant, uniqueEmail } from './admin-setup.js';
import { startServer } from './harness.js';
import { type ReceivedMail, startSmtpSink } from './smtp-sink.js';

const APP = 'https://app.acme.test/join';
const clock = new ManualClock(new Date());
const sink = await startSmtpSink();
const server = await startServer({
  clock,
  env: {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    ENFORCER_ISSUER: 'https://enforcer.test/api/v1/enforcer',
    ENFORCER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    SMTP_URL: sink.url,
  },
});
const { api } = server;
let t: SeededTenant;
let home: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server, 'Acme Pay');
  home = await seedTenant(server, 'Home');
  expectOk(
    await api('PUT', `/tenants/${t.tenant.id}/magic-link`, {
      token: t.owner.token,
      body: { redirect_urls: [APP] },
    }),
  );
});
afterAll(() => sink.close());

/** A mail's text, quoted-printable decoded. */
const textOf = (mail: ReceivedMail) =>
  mail.data
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
const invitesPath = () => `/tenants/${t.tenant.id}/invites`;
const invite = async (email: string, extra: object = {}) =>
  expectOk(await api('POST', invitesPath(), { apiKey: t.apiKey, body: { email, ...extra } }), 201);
/** Signs in, at home, a person with this (verified) email, and accepts `code` with that session. */
const invitees = new Map<string, string>();
const accept = async (email: string, code: string) => {
  const known = invitees.get(email);
  const accountId = known ?? (await home.addAccount('member', email)).accountId;
  invitees.set(email, accountId);
  // A fresh session each time: the clock may have moved past an older token's expiry.
  const session = await server.signIn({ accountId, amr: ['otp'] });
  return api('POST', '/auth/invites/accept', { token: session.accessToken, body: { code } });
};
const list = async (query = '') =>
  expectOk(await api('GET', `${invitesPath()}${query}`, { apiKey: t.apiKey }));

describe('POST /tenants/{id}/invites mails the invite', () => {
  it("with the tenant's name and an accept link carrying the code", async () => {
    const email = uniqueEmail('mailed');
    const created = await invite(email);
    expect(created).toMatchObject({ email, role: 'member', mailed: true });
    const mail = await sink.waitFor((m) => m.to.includes(email));
    const text = textOf(mail);
    expect(text).toContain('Acme Pay');
    const link = new URL(/https:\/\/app\.acme\.test\/join\S*/.exec(text)![0]);
    expect(link.searchParams.get('invite_code')).toBe(created.code);
    // send_email: false mails nothing; a redirect URL that is not registered is refused.
    const quiet = uniqueEmail('quiet');
    expect(await invite(quiet, { send_email: false })).toMatchObject({ mailed: false });
    const refused = expectProblem(
      await api('POST', invitesPath(), {
        apiKey: t.apiKey,
        body: { email: uniqueEmail('x'), redirect_url: 'https://evil.example/steal' },
      }),
      400,
      'validation_failed',
    );
    expect(refused.errors?.map((e) => e.path)).toEqual(['body.redirect_url']);
    await invite(uniqueEmail('marker'));
    await sink.waitFor((m) => m.to.some((to) => to.startsWith('marker-')));
    expect(sink.messages.some((m) => m.to.includes(quiet))).toBe(false);
  });
});

describe('POST /accounts with send_invitation (#14 provisioning)', () => {
  it('mails an invitation; accepting its code makes the account with every role and group', async () => {
    const email = uniqueEmail('provisioned');
    const created = expectOk(
      await api('POST', '/accounts', {
        apiKey: t.apiKey,
        body: { email, roles: ['member', 'admin'], groups: ['verified'], send_invitation: true },
      }),
      201,
    );
    expect(created).toMatchObject({ email, phone: null, roles: ['admin', 'member'], groups: ['verified'] });
    expect(created).toMatchObject({ status: 'pending', mailed: true });
    expect(created.code).toBeUndefined();
    const mail = await sink.waitFor((m) => m.to.includes(email));
    const link = new URL(/https:\/\/app\.acme\.test\/join\S*/.exec(textOf(mail))![0]);
    const code = link.searchParams.get('invite_code')!;
    const accepted = expectOk(await accept(email, code));
    expect(accepted.tenant.id).toBe(t.tenant.id);
    const account = expectOk(await api('GET', `/accounts/${accepted.account.id}`, { apiKey: t.apiKey }));
    expect(account).toMatchObject({
      email,
      role: 'member',
      roles: ['admin', 'member'],
      groups: ['verified'],
    });
    const listed = (await list('?limit=100')).data.find((i: { id: string }) => i.id === created.id);
    expect(listed).toMatchObject({ status: 'accepted', provisioned: true, roles: ['admin', 'member'] });
  });
});

describe('GET /tenants/{id}/invites', () => {
  it('lists every invite with its status, never its code, oldest first, by cursor and by status', async () => {
    const pending = await invite(uniqueEmail('pending'));
    const acceptedEmail = uniqueEmail('accepted');
    const accepted = await invite(acceptedEmail);
    expect((await accept(acceptedEmail, accepted.code)).status).toBe(200);
    const revoked = await invite(uniqueEmail('revoked'));
    expect((await api('DELETE', `${invitesPath()}/${revoked.id}`, { apiKey: t.apiKey })).status).toBe(204);

    const all = await list('?limit=100');
    const byId = new Map(all.data.map((i: { id: string }) => [i.id, i]));
    expect(byId.get(pending.id)).toMatchObject({ status: 'pending', role: 'member', revoked_at: null });
    expect(byId.get(accepted.id)).toMatchObject({ status: 'accepted', accepted_at: expect.any(String) });
    expect(byId.get(revoked.id)).toMatchObject({ status: 'revoked', revoked_at: expect.any(String) });
    expect(byId.get(pending.id)).toMatchObject({ created_by: null, sent_at: expect.any(String) });
    const body = JSON.stringify(all);
    for (const code of [pending.code, accepted.code, revoked.code]) expect(body).not.toContain(code);

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; pagination: { next_cursor: string | null } } = await list(
        cursor ? `?limit=2&cursor=${cursor}` : '?limit=2',
      );
      ids.push(...page.data.map((i) => i.id));
      cursor = page.pagination.next_cursor;
    } while (cursor);
    expect(ids).toEqual(all.data.map((i: { id: string }) => i.id));

    const revokedOnly = await list('?status=revoked');
    expect(revokedOnly.data.map((i: { id: string }) => i.id)).toEqual([revoked.id]);
    expectProblem(
      await api('GET', `${invitesPath()}?status=lost`, { apiKey: t.apiKey }),
      400,
      'validation_failed',
    );
    expectProblem(await api('GET', invitesPath(), { token: t.member.token }), 403, 'forbidden');
    expectProblem(
      await api('GET', `/tenants/${home.tenant.id}/invites`, { apiKey: t.apiKey }),
      404,
      'not_found',
    );
  });
});

describe('DELETE /tenants/{id}/invites/{invite_id}', () => {
  it('revokes: the code stops working at once; again is 204; an accepted invite is 409', async () => {
    const email = uniqueEmail('revokee');
    const created = await invite(email);
    const revoked = await api('DELETE', `${invitesPath()}/${created.id}`, { token: t.admin.token });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(204);
    expectProblem(await accept(email, created.code), 400, 'invite_invalid');
    expect((await api('DELETE', `${invitesPath()}/${created.id}`, { token: t.admin.token })).status).toBe(
      204,
    );
    const events = await server.db.auditEvents({ action: 'invite.revoked', targetId: created.id });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: t.admin.accountId });
    // The email may be invited again.
    await invite(email);

    const takenEmail = uniqueEmail('taken');
    const taken = await invite(takenEmail);
    expect((await accept(takenEmail, taken.code)).status).toBe(200);
    expectProblem(await api('DELETE', `${invitesPath()}/${taken.id}`, { apiKey: t.apiKey }), 409, 'conflict');
    expectProblem(
      await api('DELETE', `${invitesPath()}/00000000-0000-4000-8000-000000000000`, { apiKey: t.apiKey }),
      404,
      'not_found',
    );
    // An admin may not revoke an invite into a role above theirs.
    const ownerInvite = expectOk(
      await api('POST', invitesPath(), {
        token: t.owner.token,
        body: { email: uniqueEmail('o'), role: 'owner' },
      }),
      201,
    );
    expectProblem(
      await api('DELETE', `${invitesPath()}/${ownerInvite.id}`, { token: t.admin.token }),
      403,
      'forbidden',
    );
  });
});

describe('POST /tenants/{id}/invites/{invite_id}/resend', () => {
  it('mails a new code with a new expiry; the old code stops working; expired invites come back', async () => {
    const email = uniqueEmail('resent');
    const created = await invite(email);
    await sink.waitFor((m) => m.to.includes(email));
    clock.advance(8 * 24 * 3600);
    expect((await list('?status=expired')).data.map((i: { id: string }) => i.id)).toContain(created.id);

    const resent = expectOk(await api('POST', `${invitesPath()}/${created.id}/resend`, { apiKey: t.apiKey }));
    expect(resent).toMatchObject({ id: created.id, email, mailed: true });
    expect(resent.code).not.toBe(created.code);
    expect(Date.parse(resent.expires_at)).toBe(clock.now().getTime() + 7 * 24 * 3600 * 1000);
    const mails = await (async () => {
      await sink.waitFor((m) => m.to.includes(email) && textOf(m).includes(resent.code));
      return sink.messages.filter((m) => m.to.includes(email));
    })();
    expect(mails).toHaveLength(2);
    expect((await list('?status=pending')).data.map((i: { id: string }) => i.id)).toContain(created.id);
    expect(await server.db.auditEvents({ action: 'invite.resent', targetId: created.id })).toHaveLength(1);

    expectProblem(await accept(email, created.code), 400, 'invite_invalid');
    expect((await accept(email, resent.code)).status).toBe(200);
    expectProblem(
      await api('POST', `${invitesPath()}/${created.id}/resend`, { apiKey: t.apiKey }),
      409,
      'conflict',
    );

    const revoked = await invite(uniqueEmail('gone'));
    expect((await api('DELETE', `${invitesPath()}/${revoked.id}`, { apiKey: t.apiKey })).status).toBe(204);
    expectProblem(
      await api('POST', `${invitesPath()}/${revoked.id}/resend`, { apiKey: t.apiKey }),
      409,
      'conflict',
    );
  });
});
