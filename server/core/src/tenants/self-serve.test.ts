import type { TokenResponse } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import type { HandlerContext } from '../api/handlers.js';
import type { UserCaller } from '../caller.js';
import { webCryptoRandom } from '../platform.js';
import { memoryFixture, refusal, testClient } from '../testing/memory-fixture.js';
import { selfServeHandler } from './self-serve.js';

const EMAIL = 'ada@example.com';

/** Self-serve over the memory database (its tenants, persons, accounts, sessions and codes tables). */
function setup(allowSelfServe = true) {
  const { clock, db, otp, sessions } = memoryFixture();
  const handler = selfServeHandler(db, { allowSelfServe, clock, random: webCryptoRandom, otp, sessions });
  const code = async (email = EMAIL) => {
    const issued = await otp.issue({ address: email, tenantId: null, purpose: 'verify_email' });
    if (!issued.ok) throw new Error(issued.code);
    return issued.value.code;
  };
  const selfServe = (body: { admin_email?: string; otp?: string }, caller?: UserCaller) =>
    handler({ body: { name: 'Acme', admin_email: EMAIL, ...body } } as never, {
      caller,
      client: testClient,
    } satisfies HandlerContext) as Promise<{ status: number; body: TokenResponse }>;
  const audit = () => db.tables.audit.map((e) => [e.action, e.details.reason ?? e.details.via ?? null]);
  return { db, code, selfServe, audit, clock };
}

describe('self-serve tenant creation', () => {
  it('where the deployment does not offer it: 403 self_serve_disabled, the code left unspent, nothing made', async () => {
    const { db, code, selfServe, audit } = setup(false);
    const otp = await code();
    expect(await refusal(selfServe({ otp }))).toBe('self_serve_disabled');
    expect([...db.tables.otpChallenges.values()].map((c) => c.attempts)).toEqual([0]);
    expect(db.tables.tenants.size).toBe(0);
    expect(audit()).toEqual([]);
  });

  it('with a code: a new person owns the new tenant and is signed in to it; the code is spent', async () => {
    const { db, code, selfServe, audit } = setup();
    const otp = await code();
    const answer = await selfServe({ otp });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      account: { role: 'owner', email: EMAIL },
      person: { email: EMAIL, email_verified: true },
      tenant: { auth_providers: ['email_otp'], allow_signup: true },
    });
    const [session] = [...db.tables.sessions.values()];
    expect(session).toMatchObject({ tenantId: answer.body.tenant.id, amr: ['otp'] });
    expect(audit()).toEqual([['tenants.created', 'self_serve']]);
    expect(db.tables.audit[0]!.details).toMatchObject({
      proof: 'otp',
      owner_account_id: answer.body.account.id,
      session_id: session!.id,
    });
    expect(await refusal(selfServe({ otp }))).toBe('invalid_otp');
    expect(db.tables.tenants.size).toBe(1);
  });

  it('a wrong code is counted and audited (committed), and creates nothing', async () => {
    const { db, code, selfServe, audit } = setup();
    const otp = await code();
    const wrong = otp === '000000' ? '111111' : '000000';
    expect(await refusal(selfServe({ otp: wrong }))).toBe('invalid_otp');
    expect([...db.tables.otpChallenges.values()].map((c) => c.attempts)).toEqual([1]);
    expect(audit()).toEqual([['tenants.self_serve.failed', 'wrong_code']]);
    expect(db.tables.tenants.size).toBe(0);
    expect(db.tables.persons.size).toBe(0);
    expect((await selfServe({ otp })).status).toBe(201);
  });

  it('an unverified person with a password set before: verified, and the first-proof rule drops the password', async () => {
    const { db, code, selfServe, audit, clock } = setup();
    const person = await db.transaction(async (repos) => {
      const person = await repos.persons.create({ email: EMAIL, emailVerifiedAt: null });
      await repos.passwords.set(person.id, 'hash-set-by-whoever-registered', clock.now());
      return person;
    });
    const answer = await selfServe({ otp: await code() });
    expect(answer.body.person).toMatchObject({ id: person.id, email_verified: true });
    expect(db.tables.persons.size).toBe(1);
    expect(db.tables.passwords.size).toBe(0);
    expect(audit()).toEqual([
      ['auth.person.unproven_credentials_removed', null],
      ['tenants.created', 'self_serve'],
    ]);
  });

  it("with a session: only the signed-in person's own verified email; its amr carries over", async () => {
    const { db, selfServe } = setup();
    const person = await db.transaction((repos) =>
      repos.persons.create({ email: EMAIL, emailVerifiedAt: new Date() }),
    );
    const caller: UserCaller = {
      kind: 'user',
      tenantId: 'elsewhere',
      accountId: 'elsewhere',
      personId: person.id,
      sessionId: 'elsewhere',
      roles: ['member'],
      groups: [],
      attributes: {},
      amr: ['pwd'],
    };
    expect(await refusal(selfServe({}))).toBe('unauthenticated');
    expect(await refusal(selfServe({ admin_email: 'eve@example.com' }, caller))).toBe('unauthenticated');
    const answer = await selfServe({}, caller);
    expect(answer.body).toMatchObject({ account: { role: 'owner' }, person: { id: person.id } });
    expect([...db.tables.sessions.values()].map((s) => s.amr)).toEqual([['pwd']]);
    expect(db.tables.audit.at(-1)!.details).toMatchObject({ via: 'self_serve', proof: 'session' });
  });
});
