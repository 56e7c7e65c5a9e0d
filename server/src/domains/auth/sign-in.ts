import type { TokenResponse } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IAccount, IPerson } from '../../entities/accounts.js';
import type { ITenant } from '../../entities/tenants.js';
import type { ClientInfo, SessionTokenService } from '../tokens/session-tokens.js';
import { toTokenResponse } from './views.js';

/**
 * Starts a session (a refresh-token family) for an account, in the caller's transaction, and builds the
 * answer every sign-in gives. Login, join, switch, invite accept and self-serve all end here.
 */
export async function openSession(
  tx: EntityManager,
  services: { sessions: SessionTokenService },
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
  const tokens = await services.sessions.signIn(
    {
      accountId: input.account.id,
      amr: [...input.amr],
      mfaAt: input.mfaAt ?? null,
      ip: input.client.ip,
      userAgent: input.client.userAgent,
    },
    tx,
  );
  return { sessionId: tokens.sessionId, response: toTokenResponse(tokens, input.person, input.tenant) };
}
