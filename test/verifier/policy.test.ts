// The tenant's effective policy, fetched from GET /policy and revalidated with If-None-Match:
// a policy change (here, a new group with permissions) reaches decisions at the next refresh.
import { expect, it } from 'vitest';
import { startEnforcer } from './support';

const enforcer = await startEnforcer();

it('fetches the effective policy, revalidates it with its ETag, and applies a change at the next refresh', async () => {
  const sent: { url: string; ifNoneMatch: string | null }[] = [];
  const recording = (async (url: string, init: RequestInit) => {
    sent.push({ url, ifNoneMatch: new Headers(init.headers).get('if-none-match') });
    return fetch(url, init);
  }) as typeof fetch;
  const verifier = enforcer.verifier({ autoRefresh: false, fetch: recording });
  expect(verifier.status().policy).toMatchObject({ source: 'remote', loaded: false, etag: undefined });
  const member = await enforcer.addAccount('member');
  await expect(verifier.authorize(member.token, 'reports.read')).resolves.toMatchObject({ allowed: false });
  const firstEtag = verifier.status().policy.etag;
  expect(firstEtag).toMatch(/^"/);
  expect(verifier.status()).toMatchObject({
    keys: { source: 'jwksUri', fetchedAt: expect.any(Number) },
    policy: { source: 'remote', loaded: true, fetchedAt: expect.any(Number) },
  });

  await verifier.refresh();
  const policyRequests = sent.filter((r) => r.url.endsWith('/policy'));
  expect(policyRequests[0]!.ifNoneMatch).toBeNull();
  expect(policyRequests.at(-1)!.ifNoneMatch).toBe(firstEtag);
  const compiled = verifier.policy;
  expect(verifier.policy).toBe(compiled); // same ETag: not compiled again

  const group = await enforcer.api('POST', '/groups', {
    token: enforcer.owner.token,
    body: { name: 'analysts', permissions: ['reports.read'] },
  });
  expect(group.status).toBe(201);
  await enforcer.api('POST', `/groups/${group.body.id}/members`, {
    token: enforcer.owner.token,
    body: { account_id: member.accountId },
  });
  await verifier.refresh(); // the policy (new group) and the feed (new membership)
  expect(verifier.status().policy.etag).not.toBe(firstEtag);
  const decision = await verifier.authorize(member.token, 'reports.read');
  expect(decision).toEqual({
    allowed: true,
    reason: { kind: 'allowed_by_group', group: 'analysts', permission: 'reports.read' },
  });
  expect(
    (await enforcer.api('POST', '/authorize', { token: member.token, body: { action: 'reports.read' } }))
      .body,
  ).toEqual(decision);
});

it('keeps the last good policy when GET /policy fails, and says so', async () => {
  const errors: string[] = [];
  let down = false;
  const flaky = (async (url: string, init: RequestInit) => {
    if (down && url.endsWith('/policy')) return new Response('{}', { status: 503 });
    return fetch(url, init);
  }) as typeof fetch;
  const verifier = enforcer.verifier({
    autoRefresh: false,
    fetch: flaky,
    onError: (error, source) => errors.push(`${source}: ${error.message}`),
  });
  const member = await enforcer.addAccount('member');
  await expect(verifier.authorize(member.token, 'tenants.read')).resolves.toMatchObject({ allowed: true });
  down = true;
  await verifier.refresh();
  expect(errors).toEqual([expect.stringMatching(/^policy: GET .*\/policy answered 503/)]);
  await expect(verifier.authorize(member.token, 'tenants.read')).resolves.toMatchObject({ allowed: true });
});

it('says policy_unavailable while no policy has ever been fetched', async () => {
  const verifier = enforcer.verifier({
    autoRefresh: false,
    policy: { baseUrl: 'http://127.0.0.1:9/api/v1/enforcer', apiKey: enforcer.apiKey },
    revocations: { baseUrl: enforcer.baseUrl, apiKey: enforcer.apiKey },
  });
  const member = await enforcer.addAccount('member');
  const principal = await verifier.verify(member.token);
  expect(() => verifier.authorize(principal, 'tenants.read')).toThrow(
    expect.objectContaining({ code: 'policy_unavailable' }),
  );
});
