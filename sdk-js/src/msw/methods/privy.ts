import type { PrivySettings } from '@enforcer/contract';
import { type PrivyClaims, PrivyTokenVerifier } from '@enforcer/core';
import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';
import { trySettingsFor } from './settings';
import type { Authentication } from './sign-in';

export { PRIVY_ISSUER, type PrivyClaims } from '@enforcer/core';

/**
 * The server's `provePrivy` (server/src/domains/auth/strategies/privy/): the core's `PrivyTokenVerifier`
 * with the tenant's Privy settings.
 */
export async function verifyPrivyToken(
  store: MockStore,
  tenant: TenantRow,
  token: string,
  toleranceSeconds: number,
): Promise<Authentication> {
  const configured = trySettingsFor(store, tenant, 'privy');
  if (!configured.ok) return configured;
  const check = await checkPrivyToken(store, token, configured.settings, toleranceSeconds);
  return check.ok ? { ok: true, identity: { provider: 'privy', subject: check.claims.did } } : check;
}

/** The core's `PrivyTokenVerifier.verify`, on the mock's clock, refusals as mock problems. */
export async function checkPrivyToken(
  store: MockStore,
  token: string,
  settings: PrivySettings,
  toleranceSeconds: number,
): Promise<{ ok: true; claims: PrivyClaims } | Extract<Authentication, { ok: false }>> {
  const verifier = new PrivyTokenVerifier({
    clock: { now: () => new Date(store.now()) },
    clockToleranceSeconds: toleranceSeconds,
  });
  const check = await verifier.verify(token, settings);
  if (!check.ok) {
    return { ok: false, error: new MockError(check.code, check.detail), reason: check.reason };
  }
  return { ok: true, claims: check.value };
}
