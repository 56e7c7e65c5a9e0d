import { requireSecondFactor as coreRequireSecondFactor } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IAccount, IPerson } from '../../../entities/accounts.js';
import type { ITenant } from '../../../entities/tenants.js';
import type { AppError } from '../../../lib/errors.js';
import type { Services } from '../../../services.js';
import type { ClientInfo } from '../../tokens/session-tokens.js';

/**
 * The login flow's MFA gate: the core's `requireSecondFactor` in the login's transaction. Undefined means
 * no second factor is needed; otherwise the `401 mfa_required` to answer. (Goes when the login flow is the core's.)
 */
export const requireSecondFactor = async (
  tx: EntityManager,
  services: Pick<Services, 'uow' | 'clock' | 'random'>,
  input: {
    account: IAccount;
    person: IPerson;
    tenant: ITenant;
    provider: string;
    amr: readonly string[];
    client: ClientInfo;
  },
): Promise<AppError | undefined> =>
  (await coreRequireSecondFactor(services.uow.within(tx), services, {
    provider: input.provider,
    amr: input.amr,
    client: input.client,
    accountId: input.account.id,
    personId: input.person.id,
    tenantId: input.tenant.id,
  })) ?? undefined;
