// The mock and the server share their constants through @enforcer/contract; this checks the
// mock really serves them, and that the verifier accepts what the mock issues.

import { defaultPolicy } from '@enforcer/contract';
import { createVerifier } from '@enforcer/node-verifier';
import { createEnforcerMock, manualClock, defaultPolicy as mockDefaultPolicy } from '@enforcer/sdk-js/msw';
import { setupServer } from 'msw/node';
import { expect, it } from 'vitest';

it("the mock's default tenant policy is the server's (one copy, in @enforcer/contract)", () => {
  expect(mockDefaultPolicy()).toEqual(defaultPolicy());
});

it("@enforcer/node-verifier accepts the mock's tokens and follows its policy and revocation feed", async () => {
  const clock = manualClock();
  const mock = createEnforcerMock({ clock });
  const server = setupServer(...mock.handlers);
  server.listen({ onUnhandledFrame: 'error' });
  try {
    const tenant = mock.seed.tenant();
    const account = mock.seed.account({ tenant: tenant.id, email: 'verified@example.com' });
    const apiKey = mock.seed.apiKey({ tenant: tenant.id }).key;
    const baseUrl = `${mock.baseUrl}/api/v1/enforcer`;
    const verifier = createVerifier({
      issuer: mock.issuer,
      audience: 'enforcer',
      jwksUri: `${baseUrl}/.well-known/jwks.json`,
      policy: { baseUrl, apiKey },
      revocations: { baseUrl, apiKey },
      autoRefresh: false,
      allowInsecureHttp: true,
      now: () => clock.now(),
    });
    await verifier.refresh();
    const { token, refresh_token } = await mock.signIn({ tenant: tenant.id, email: 'verified@example.com' });
    const principal = await verifier.verify(token);
    expect(principal).toMatchObject({ accountId: account.id, tenantId: tenant.id, roles: ['member'] });
    expect((await verifier.authorize(token, 'transfers.create')).allowed).toBe(false);

    // The KYC gate opens on the mock; the verifier learns it from the feed.
    mock.seed.addToGroup({ account: account.id, group: 'verified' });
    await verifier.refresh();
    expect((await verifier.authorize(token, 'transfers.create')).allowed).toBe(true);

    // A logout on the mock reaches the verifier through the feed too.
    await fetch(`${baseUrl}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token }),
    });
    await verifier.refresh();
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'revoked' });
    verifier.close();
  } finally {
    server.close();
  }
});
