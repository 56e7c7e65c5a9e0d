import type { TokenResponse } from '@enforcer/contract';
import type { Repositories, SessionTokens } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IAccount, IPerson } from '../../entities/accounts.js';
import type { ITenant } from '../../entities/tenants.js';
import type { ClientInfo } from '../tokens/session-tokens.js';

/**
 * Starts a session for an account in the caller's transaction, by the core's `SessionTokens` (as the core's
 * login flow does), for the sign-ins still written here: the MFA verify step and self-serve tenant creation.
 */
export async function openSession(
  tx: EntityManager,
  services: { authSessions: SessionTokens; uow: { within(em: EntityManager): Repositories } },
  input: {
    account: IAccount;
    person: IPerson;
    tenant: ITenant;
    amr: readonly string[];
    client: ClientInfo;
    /** When a second factor was completed for this sign-in (`mfa_at` of its tokens). */
    mfaAt?: Date | null;
  },
): Promise<{ sessionId: string; response: TokenResponse }> {
  await tx.flush();
  return services.authSessions.open(services.uow.within(tx), {
    accountId: input.account.id,
    amr: input.amr,
    mfaAt: input.mfaAt ?? null,
    client: input.client,
  });
}
