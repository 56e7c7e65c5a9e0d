import type { PasskeyLoginBody } from '@enforcer/contract';
import { refusalError } from '../problem';
import type { MockStore, TenantRow } from '../store';
import type { Authentication } from './sign-in';

/**
 * `passkey`: the core's method (server/core/src/passkeys/method.ts, the server's verifier included) in a
 * unit of work of its own, as the mock's login is not in one yet; a refusal commits (the spent challenge,
 * an audited counter regression) and comes back as data. An adapter until the login flow is the core's.
 */
export async function verifyPasskeyAssertion(
  store: MockStore,
  tenant: TenantRow,
  body: PasskeyLoginBody,
): Promise<Authentication> {
  const result = await store.db.transaction(async (repos) => {
    const record = await repos.tenants.find(tenant.id);
    if (!record) throw new Error(`tenant ${tenant.id} is not in the memory database`);
    return store.passkeySignIn.authenticate(
      { repos, tenant: record, client: { ip: null, userAgent: null } },
      body,
    );
  });
  return result.ok ? result : { ok: false, error: refusalError(result), reason: result.reason };
}
