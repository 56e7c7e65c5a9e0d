// Subject attributes from public metadata (#14): a rule `subject.attributes.kyc_level >= 2` gives the same
// answer from POST /authorize and from the Node verifier's local authorize with the token (which carries
// the attribute as `attrs`); a mistyped value is absent in both; and once the feed shows the account
// changed, the verifier refuses the old token (`stale_attributes`) rather than decide with stale values.
import type { VerifierError } from '@enforcer/node-verifier';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Member, startEnforcer } from './support';

const enforcer = await startEnforcer();
const owner = () => enforcer.owner.token;

const setPublic = async (accountId: string, publicMetadata: Record<string, unknown>) => {
  const answer = await enforcer.api('PATCH', `/accounts/${accountId}`, {
    apiKey: enforcer.apiKey,
    body: { public_metadata: publicMetadata },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
};

/** A new member whose public metadata is set before they sign in (so their token carries it). */
const memberWith = async (publicMetadata: Record<string, unknown>): Promise<Member> => {
  const member = await enforcer.addAccount('member');
  await setPublic(member.accountId, publicMetadata);
  return enforcer.signIn(member.accountId);
};

beforeAll(async () => {
  const current = (await enforcer.api('GET', '/policy', { token: owner() })).body.document;
  const document = {
    ...current,
    subject_attributes: {
      ...(current.subject_attributes ?? {}),
      kyc_level: { type: 'number', from: 'public_metadata.kyc_level' },
      country: { type: 'string', from: 'public_metadata.country' },
    },
    rules: [
      ...(current.rules ?? []),
      {
        id: 'transfers-need-kyc-2',
        effect: 'allow',
        actions: ['transfers.create'],
        condition: { gte: ['subject.attributes.kyc_level', 2] },
      },
      {
        id: 'no-transfers-from-xx',
        effect: 'deny',
        actions: ['transfers.create'],
        condition: { eq: ['subject.attributes.country', 'XX'] },
      },
    ],
  };
  const put = await enforcer.api('PUT', '/policy', { token: owner(), body: document });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
});

describe('subject attributes from public metadata: server and verifier agree', () => {
  it('kyc_level >= 2 allows in both; a lower, missing or mistyped one denies in both', async () => {
    const verifier = enforcer.verifier({ autoRefresh: false });
    await verifier.ready();
    const both = async (token: string) => {
      const server = await enforcer.api('POST', '/authorize', {
        token,
        body: { action: 'transfers.create' },
      });
      expect(server.status, JSON.stringify(server.body)).toBe(200);
      const local = await verifier.authorize(token, 'transfers.create');
      return { server: server.body.allowed as boolean, verifier: local.allowed };
    };

    const cases: [Record<string, unknown>, boolean, Record<string, unknown> | undefined][] = [
      [{ kyc_level: 2 }, true, { kyc_level: 2 }],
      [{ kyc_level: 3, country: 'FR', private_note: 'x' }, true, { kyc_level: 3, country: 'FR' }],
      [{ kyc_level: 3, country: 'XX' }, false, { kyc_level: 3, country: 'XX' }],
      [{ kyc_level: 1 }, false, { kyc_level: 1 }],
      [{}, false, undefined],
      // Mistyped: absent everywhere, never coerced.
      [{ kyc_level: '2' }, false, undefined],
      [{ kyc_level: [2] }, false, undefined],
      [{ kyc_level: true, country: 7 }, false, undefined],
      [{ kyc_level: { value: 2 } }, false, undefined],
    ];
    for (const [metadata, allowed, attrs] of cases) {
      const member = await memberWith(metadata);
      const label = JSON.stringify(metadata);
      expect(decodeJwt(member.token).attrs, label).toEqual(attrs);
      expect(await both(member.token), label).toEqual({ server: allowed, verifier: allowed });
      const principal = await verifier.verify(member.token);
      expect(verifier.authorize(principal, 'transfers.create').allowed, label).toBe(allowed);
    }
  });

  it('after a change of public metadata, the verifier refuses the old token once its feed knows; a refreshed token agrees again', async () => {
    const verifier = enforcer.verifier({ autoRefresh: false });
    await verifier.ready();
    const member = await memberWith({ kyc_level: 2 });
    expect((await verifier.authorize(member.token, 'transfers.create')).allowed).toBe(true);

    await setPublic(member.accountId, { kyc_level: 1 });
    // The server decides with the account as it is now, the same token.
    const server = await enforcer.api('POST', '/authorize', {
      token: member.token,
      body: { action: 'transfers.create' },
    });
    expect(server.body.allowed).toBe(false);
    await verifier.refresh();
    await expect(verifier.authorize(member.token, 'transfers.create')).rejects.toMatchObject({
      code: 'stale_attributes',
    } satisfies Partial<VerifierError>);

    const refreshed = await enforcer.api('POST', '/auth/refresh', {
      body: { refresh_token: member.refreshToken },
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(decodeJwt(refreshed.body.token).attrs).toEqual({ kyc_level: 1 });
    expect((await verifier.authorize(refreshed.body.token, 'transfers.create')).allowed).toBe(false);
  });

  it("drops what the verifier's policy does not declare as a metadata source", async () => {
    const member = await memberWith({ kyc_level: 5 });
    const policy = (await enforcer.api('GET', '/policy', { apiKey: enforcer.apiKey })).body.effective;
    // The same policy, but kyc_level as a plain attribute (no source): the token's attrs cannot fill it.
    const offline = enforcer.verifier({
      policy: { ...policy, subject_attributes: { ...policy.subject_attributes, kyc_level: 'number' } },
      revocations: false,
      tenantId: enforcer.tenantId,
    });
    await offline.ready();
    expect((await offline.authorize(member.token, 'transfers.create')).allowed).toBe(false);
    const online = enforcer.verifier({ autoRefresh: false });
    expect((await online.authorize(member.token, 'transfers.create')).allowed).toBe(true);
  });
});
