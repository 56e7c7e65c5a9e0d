// A tenant suspended by the deployment's operator (#15): its feed answers 403 tenant_suspended, and a
// verifier against the real server refuses the tenant's tokens at its next poll (not after maxStaleness);
// once the tenant is active again, the next poll lets the same tokens through.
import { describe, expect, it } from 'vitest';
import { platformKeys } from '../e2e/platform-fixtures.js';
import { startEnforcer } from './support';

const keys = platformKeys();
const enforcer = await startEnforcer(keys.env);

const setStatus = async (body: { status: 'active' | 'suspended'; reason?: string }) => {
  const answer = await enforcer.api('PATCH', `/platform/tenants/${enforcer.tenantId}`, {
    apiKey: keys.operator.key,
    body,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
};

describe('a suspended tenant in the verifier', () => {
  it('refuses its tokens at the next poll and accepts them again once the tenant is active', async () => {
    const member = await enforcer.addAccount('member');
    const verifier = enforcer.verifier({ autoRefresh: false });
    await expect(verifier.verify(member.token)).resolves.toMatchObject({ accountId: member.accountId });

    await setStatus({ status: 'suspended', reason: 'unpaid' });
    const feed = await enforcer.api('GET', '/revocations', { apiKey: enforcer.apiKey });
    expect(feed).toMatchObject({ status: 403, body: { code: 'tenant_suspended' } });
    await verifier.refresh();
    await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'tenant_suspended' });
    // Also a token verified (and cached) before.
    await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'tenant_suspended' });

    await setStatus({ status: 'active' });
    // Until the verifier polls, it still refuses (it last heard "suspended").
    await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'tenant_suspended' });
    await verifier.refresh();
    await expect(verifier.verify(member.token)).resolves.toMatchObject({ accountId: member.accountId });
  });
});
