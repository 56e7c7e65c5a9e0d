import type { EntityManager } from '@mikro-orm/postgresql';
import type { IAccount, IPerson } from '../../../entities/accounts.js';
import type { ITenant } from '../../../entities/tenants.js';
import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import type { ClientInfo } from '../../tokens/session-tokens.js';
import { MFA_METHODS, type MfaService } from './mfa-service.js';

/**
 * The login flow's MFA gate, called once the first factor is proven and the account is known and active,
 * before any session exists. When the person has TOTP on (and the first factor is not multi-factor by
 * itself, like a passkey), it records a challenge and answers the refusal to throw: `401 mfa_required`
 * whose extension members carry the single-use `mfa_token` (5 minutes) for `POST /auth/mfa/verify`.
 * Undefined means: no second factor needed, open the session.
 */
export async function requireSecondFactor(
  tx: EntityManager,
  services: { clock: Clock; mfa: MfaService },
  input: {
    account: IAccount;
    person: IPerson;
    tenant: ITenant;
    provider: string;
    amr: readonly string[];
    client: ClientInfo;
  },
): Promise<AppError | undefined> {
  const mfa = services.mfa;
  if (!(await mfa.required(tx, input.person.id, input.amr))) return undefined;
  const challenge = await mfa.issueChallenge(tx, input);
  recordAudit(tx, services.clock, {
    action: 'auth.login.mfa_required',
    actor: { type: 'account', id: input.account.id },
    tenantId: input.tenant.id,
    target: { type: 'mfa_challenge', id: challenge.challengeId },
    ...input.client,
    details: { provider: input.provider, amr: [...input.amr] },
  });
  return new AppError(
    'mfa_required',
    'This account uses two-step verification: finish signing in with POST /auth/mfa/verify and the mfa_token',
    {
      extensions: {
        mfa_token: challenge.token,
        mfa_token_expires_at: challenge.expiresAt.toISOString(),
        mfa_methods: [...MFA_METHODS],
      },
    },
  );
}
