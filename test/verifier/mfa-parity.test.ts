// Step-up: a policy can require a recent second factor. The server and an offline verifier
// derive `subject.attributes.mfa_at` / `mfa_age_seconds` from the same claim, with the same
// function, so they must agree on every such decision, as time passes.
import { describe, expect, it } from 'vitest';
import { startEnforcer } from './support';

const enforcer = await startEnforcer();

describe('decisions that need a recent second factor', () => {
  it('the verifier answers as POST /authorize, before and after the MFA grows old, and without MFA', async () => {
    const current = (await enforcer.api('GET', '/policy', { apiKey: enforcer.apiKey })).body.document;
    const document = {
      ...current,
      subject_attributes: { ...(current.subject_attributes ?? {}), mfa_age_seconds: 'number' },
      rules: [
        ...(current.rules ?? []),
        { id: 'members-transfer', effect: 'allow', actions: ['transfers.create'] },
        {
          id: 'transfers-need-mfa-within-5-minutes',
          effect: 'deny',
          actions: ['transfers.create'],
          condition: { not: { lte: ['subject.attributes.mfa_age_seconds', 300] } },
        },
      ],
    };
    const put = await enforcer.api('PUT', '/policy', { token: enforcer.owner.token, body: document });
    expect(put.status, JSON.stringify(put.body)).toBe(200);

    const member = await enforcer.addAccount('member');
    const withMfa = await enforcer.server.signIn({
      accountId: member.accountId,
      amr: ['pwd', 'otp'],
      mfaAt: enforcer.clock.now(),
    });
    const verifier = enforcer.verifier({ now: () => enforcer.clock.now().getTime() });
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

    expect(await both(withMfa.accessToken)).toEqual({ server: true, verifier: true });
    expect(await both(member.token)).toEqual({ server: false, verifier: false }); // never did MFA

    enforcer.clock.advance(301); // the second factor is now more than 5 minutes old
    await verifier.refresh(); // the feed is polled as it would be (it must not be stale)
    expect(await both(withMfa.accessToken)).toEqual({ server: false, verifier: false });
  });
});
