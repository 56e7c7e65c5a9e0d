// The store contract of privacy (#15): deletion requests and a person's erasure, through the core's
// `erasePerson`, on every store. After an erasure nothing of the person's values is left in what the store
// returns, the sessions are over, the audit chain still verifies, and other people's data is untouched.
import { erasePerson, type Repositories, type UnitOfWork, verifyAuditChain } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface PrivacyStoreHarness {
  uow: UnitOfWork;
  seedTenant(): Promise<string>;
  /** An account of a new person with this email in the tenant: its id. */
  seedAccount(tenantId: string, options: { email: string; role: string }): Promise<string>;
}

let n = 0;
const unique = () => `${Date.now()}-${++n}`;

export function privacyStoreContract(name: string, harness: () => PrivacyStoreHarness): void {
  describe(`PrivacyStore contract: ${name}`, () => {
    const setup = async () => {
      const h = harness();
      const tenant = await h.seedTenant();
      const other = await h.seedTenant();
      const email = `erase-${unique()}@example.com`;
      const accountId = await h.seedAccount(tenant, { email, role: 'member' });
      const person = (await h.uow.read((repos) => repos.accounts.find(tenant, accountId)))!.personId;
      return { ...h, tenant, other, email, accountId, person };
    };

    it('keeps one pending request per person, per tenant for reads, and finds the due ones', async () => {
      const { uow, tenant, other, accountId, person } = await setup();
      const now = new Date();
      const later = new Date(now.getTime() + 86_400_000);
      const request = await uow.transaction((repos) =>
        repos.privacy.create({
          tenantId: tenant,
          accountId,
          personId: person,
          status: 'pending',
          createdAt: now,
          scheduledFor: later,
          cancelledAt: null,
          completedAt: null,
          processedBy: null,
        }),
      );
      await uow.read(async (repos) => {
        expect(await repos.privacy.pendingOf(person)).toMatchObject({ id: request.id, status: 'pending' });
        expect(await repos.privacy.find(tenant, request.id)).toMatchObject({ id: request.id, accountId });
        expect(await repos.privacy.find(other, request.id)).toBeNull();
        expect((await repos.privacy.list(tenant, { after: undefined, limit: 10 })).map((r) => r.id)).toEqual([
          request.id,
        ]);
        expect(await repos.privacy.list(other, { after: undefined, limit: 10 })).toEqual([]);
        expect(
          await repos.privacy.list(tenant, { after: undefined, limit: 10, status: 'completed' }),
        ).toEqual([]);
        expect((await repos.privacy.due(now, 10)).map((r) => r.id)).not.toContain(request.id);
        expect((await repos.privacy.due(later, 1000)).map((r) => r.id)).toContain(request.id);
      });
      // A second pending request for the same person is refused by the store (a guard behind the rule).
      await expect(
        uow.transaction((repos) =>
          repos.privacy.create({ ...request, createdAt: new Date(), processedBy: null }),
        ),
      ).rejects.toThrow();
      await uow.transaction((repos) =>
        repos.privacy.update(request.id, {
          status: 'completed',
          completedAt: later,
          processedBy: { type: 'api_key', id: 'key-1' },
        }),
      );
      await uow.read(async (repos) => {
        expect(await repos.privacy.pendingOf(person)).toBeNull();
        expect(await repos.privacy.find(tenant, request.id)).toMatchObject({
          status: 'completed',
          processedBy: { type: 'api_key', id: 'key-1' },
        });
        expect((await repos.privacy.due(later, 1000)).map((r) => r.id)).not.toContain(request.id);
      });
    });

    it('keeps a tenant grace period, null for the default', async () => {
      const { uow, tenant, other } = await setup();
      await uow.transaction((repos) => repos.privacy.setGraceDays(tenant, 7));
      await uow.read(async (repos) => {
        expect(await repos.privacy.graceDays(tenant)).toBe(7);
        expect(await repos.privacy.graceDays(other)).toBeNull();
      });
      await uow.transaction((repos) => repos.privacy.setGraceDays(tenant, null));
      expect(await uow.read((repos) => repos.privacy.graceDays(tenant))).toBeNull();
    });

    const populate = async (repos: Repositories, s: Awaited<ReturnType<typeof setup>>, tag: string) => {
      const at = new Date();
      const phone = `+1415555${String(n++ % 10000).padStart(4, '0')}`;
      await repos.identities.create({
        personId: s.person,
        provider: 'phone_otp',
        subject: phone,
        email: null,
        verifiedAt: at,
        lastUsedAt: null,
      });
      await repos.persons.updateProfile(s.person, { displayName: `Name ${tag}` });
      await repos.passkeys.create({
        personId: s.person,
        credentialId: `cred-${tag}-${unique()}`,
        publicKey: `pk-${tag}`,
        counter: 0,
        transports: ['internal'],
        deviceType: 'multiDevice',
        backedUp: true,
        rpId: 'app.example.com',
        aaguid: null,
        name: `Passkey ${tag}`,
        createdAt: at,
        lastUsedAt: null,
      });
      const sessionId = crypto.randomUUID();
      await repos.sessions.insertSession(
        {
          id: sessionId,
          accountId: s.accountId,
          personId: s.person,
          tenantId: s.tenant,
          amr: ['otp'],
          mfaAt: null,
          ip: `198.51.100.${n % 250}`,
          userAgent: `agent-${tag}`,
          createdAt: at,
          lastUsedAt: at,
          absoluteExpiresAt: new Date(at.getTime() + 3_600_000),
          revokedAt: null,
          revokeReason: null,
        },
        {
          id: crypto.randomUUID(),
          sessionId,
          tokenHash: `hash-${tag}`,
          parentId: null,
          replacedById: null,
          usedAt: null,
          createdAt: at,
          expiresAt: new Date(at.getTime() + 3_600_000),
        },
      );
      const ip = `198.51.100.${n % 250}`;
      repos.audit.record({
        action: 'auth.login.succeeded',
        actor: { type: 'account', id: s.accountId },
        tenantId: s.tenant,
        target: { type: 'account', id: s.accountId },
        ip,
        userAgent: `agent-${tag}`,
        details: { provider: 'email_otp' },
      });
      // A failed sign-in from nobody known, naming the email: theirs by the value.
      repos.audit.record({
        action: 'auth.login.failed',
        actor: { type: 'anonymous' },
        tenantId: s.tenant,
        target: { type: 'tenant', id: s.tenant },
        ip: '203.0.113.200',
        userAgent: 'elsewhere',
        details: { reason: 'wrong_code', email: s.email },
      });
      return { phone, sessionId, ip };
    };

    it('erases the person in one unit of work: values gone, sessions over, chain whole, others untouched', async () => {
      const s = await setup();
      const { uow, tenant } = s;
      const bystanderEmail = `keep-${unique()}@example.com`;
      const bystander = await s.seedAccount(tenant, { email: bystanderEmail, role: 'member' });
      const mine = await uow.transaction((repos) => populate(repos, s, 'mine'));
      await uow.transaction(async (repos) => {
        repos.audit.record({
          action: 'auth.login.failed',
          actor: { type: 'anonymous' },
          tenantId: tenant,
          target: { type: 'account', id: bystander },
          ip: '192.0.2.9',
          userAgent: 'bystander-agent',
          details: { reason: 'wrong_code', email: bystanderEmail },
        });
      });

      const result = await uow.transaction((repos) =>
        erasePerson(repos, {
          personId: s.person,
          by: { type: 'system', id: null },
          at: new Date(),
          tenantId: tenant,
        }),
      );
      expect(result).toMatchObject({ accounts: 1, sessionsEnded: 1 });
      expect(result.counts).toMatchObject({ person_identity: 1, passkey_credential: 1, refresh_token: 1 });

      await uow.read(async (repos) => {
        const person = await repos.persons.find(s.person);
        expect(person).toMatchObject({ email: null, profile: { displayName: null } });
        expect(await repos.persons.findByEmail(s.email)).toBeNull();
        expect(await repos.identities.ofPerson(s.person)).toEqual([]);
        expect(await repos.passkeys.ofPerson(s.person)).toEqual([]);
        expect(await repos.sessions.findSessionByTokenHash('hash-mine')).toBeNull();
        const session = await repos.sessions.findSession(mine.sessionId);
        expect(session).toMatchObject({ ip: null, userAgent: null, revokeReason: 'person_erased' });
        expect(session?.revokedAt).toBeInstanceOf(Date);
        expect(await repos.accounts.find(tenant, s.accountId)).toMatchObject({
          status: 'deleted',
          active: false,
        });

        const events = await repos.auditEvents.chain(tenant, 0, 1000);
        const text = JSON.stringify(events);
        for (const value of [s.email, mine.phone, 'agent-mine', 'Name mine'])
          expect(text).not.toContain(value);
        // The bystander's event is as it was.
        expect(events.find((e) => e.targetId === bystander)).toMatchObject({
          ip: '192.0.2.9',
          userAgent: 'bystander-agent',
          details: { email: bystanderEmail },
        });
        expect(events.some((e) => e.action === 'privacy.person.erased' && e.targetId === s.person)).toBe(
          true,
        );
        const verified = await verifyAuditChain((after, limit) =>
          repos.auditEvents.chain(tenant, after, limit),
        );
        expect(verified.firstBreak).toBeNull();
        expect(verified.checked).toBe(events.length);
      });
    });

    it("finds the export's traces: every session, invites to or accepted by the person, codes and links", async () => {
      const s = await setup();
      const { uow, tenant, other } = s;
      const at = new Date();
      const later = new Date(at.getTime() + 600_000);
      const mine = await uow.transaction((repos) => populate(repos, s, 'traces'));
      const inviteTo = crypto.randomUUID();
      const acceptedInvite = crypto.randomUUID();
      const strangers = crypto.randomUUID();
      const invite = (id: string, tenantId: string, email: string) => ({
        id,
        tenantId,
        email,
        phone: null,
        role: 'member',
        roles: ['member'],
        groups: [],
        provisioned: false,
        codeHash: `invite-hash-${id}`,
        createdBy: null,
        expiresAt: later,
        acceptedAt: null,
      });
      const challenge = (address: string) => ({
        id: crypto.randomUUID(),
        address,
        tenantId: tenant,
        purpose: 'login' as const,
        codeHash: `code-hash-${unique()}`,
        expiresAt: later,
        attempts: 0,
        consumedAt: null,
        createdAt: at,
      });
      const codes = [challenge(s.email), challenge(mine.phone), challenge(`someone-${unique()}@example.com`)];
      const linkId = crypto.randomUUID();
      await uow.transaction(async (repos) => {
        await repos.invites.create(invite(inviteTo, other, s.email));
        // Addressed to an older email of theirs, accepted by their account: theirs by the account.
        await repos.invites.create(invite(acceptedInvite, other, `old-${unique()}@example.com`));
        await repos.invites.accept(acceptedInvite, s.accountId, at);
        await repos.invites.create(invite(strangers, other, `stranger-${unique()}@example.com`));
        await repos.magicLinks.insert({
          id: linkId,
          tokenHash: `link-hash-${unique()}`,
          tenantId: tenant,
          email: s.email,
          expiresAt: later,
          consumedAt: null,
          createdAt: at,
        });
        await repos.sessions.revokeSession(mine.sessionId, 'logout', at);
      });
      for (const code of codes) {
        await uow.transaction((repos) =>
          repos.codes.withScope(code, (challenges) => challenges.insert(code)),
        );
      }
      const values = await uow.read((repos) => repos.privacy.personalValues(s.person));
      const traces = await uow.read((repos) => repos.privacy.traces(values));
      expect(traces.sessions).toEqual([
        expect.objectContaining({ id: mine.sessionId, revokeReason: 'logout', revokedAt: expect.any(Date) }),
      ]);
      const invites = new Map(traces.invites.map((i) => [i.id, i]));
      expect([...invites.keys()].sort()).toEqual([inviteTo, acceptedInvite].sort());
      expect(invites.get(inviteTo)).toMatchObject({ email: s.email, acceptedBy: null, tenantId: other });
      expect(invites.get(acceptedInvite)).toMatchObject({
        acceptedBy: s.accountId,
        acceptedAt: expect.any(Date),
      });
      expect(traces.codes.map((c) => c.id).sort()).toEqual([codes[0]!.id, codes[1]!.id].sort());
      expect(traces.magicLinks).toEqual([expect.objectContaining({ id: linkId, email: s.email })]);

      // Erasure takes them all (the accepted invite too, by its account), and leaves the stranger's.
      await uow.transaction((repos) =>
        erasePerson(repos, { personId: s.person, by: { type: 'system', id: null }, at, tenantId: tenant }),
      );
      const left = await uow.read((repos) => repos.privacy.traces(values));
      expect(left).toMatchObject({ invites: [], codes: [], magicLinks: [] });
      expect(await uow.read((repos) => repos.invites.find(other, strangers))).toMatchObject({
        id: strangers,
      });
    });

    it('a failed unit of work erases nothing', async () => {
      const s = await setup();
      await s.uow.transaction((repos) => populate(repos, s, 'kept'));
      await expect(
        s.uow.transaction(async (repos) => {
          await erasePerson(repos, {
            personId: s.person,
            by: { type: 'system', id: null },
            at: new Date(),
            tenantId: s.tenant,
          });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await s.uow.read(async (repos) => {
        expect(await repos.persons.findByEmail(s.email)).toMatchObject({ id: s.person });
        expect(await repos.identities.ofPerson(s.person)).toHaveLength(1);
        expect(await repos.passkeys.ofPerson(s.person)).toHaveLength(1);
        expect(await repos.sessions.findSessionByTokenHash('hash-kept')).toMatchObject({ revokedAt: null });
        expect(JSON.stringify(await repos.auditEvents.chain(s.tenant, 0, 1000))).toContain('agent-kept');
      });
    });
  });
}
