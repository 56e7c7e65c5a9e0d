import type { SecondFactor } from '@enforcer/contract';
import { personIdentifier } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IPerson } from '../../../entities/accounts.js';
import { recordAudit } from '../../audit/record-audit.js';
import type { ClientInfo } from '../../tokens/session-tokens.js';
import { type AuthRequestContext, type Outcome, refuse, success } from '../context.js';

/**
 * A second factor presented by a signed-in person (confirming a change, stepping up): throttled like a
 * sign-in (the account's and the client's counters), audited, and a recovery code's use recorded with how
 * many are left. Runs in the caller's transaction, which must commit even on refusal.
 */
export async function provideSecondFactor(
  tx: EntityManager,
  services: AuthRequestContext['services'],
  input: {
    person: IPerson;
    tenantId: string;
    accountId: string;
    factor: SecondFactor;
    client: ClientInfo;
    /** What the factor is for, in the audit log (`step_up`, `disable`, `regenerate`). */
    purpose: string;
  },
): Promise<Outcome<'totp' | 'recovery_code'>> {
  const throttle = services.throttle;
  const mfa = services.mfa;
  const subject = {
    tenantId: input.tenantId,
    identifier: personIdentifier(input.person),
    client: input.client,
  };
  const gate = await throttle.gate(subject, services.uow.within(tx));
  if (gate) return refuse(gate);
  const check = await mfa.checkFactor(tx, input.person.id, input.factor);
  const actor = { type: 'account' as const, id: input.accountId };
  if (!check.ok) {
    const limited =
      check.reason === 'mfa_not_enabled'
        ? undefined
        : await throttle.recordFailure(subject, check.reason, services.uow.within(tx));
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.failed',
      actor,
      tenantId: input.tenantId,
      target: { type: 'person', id: input.person.id },
      ...input.client,
      details: { purpose: input.purpose, reason: check.reason },
    });
    return refuse(limited ?? check.error);
  }
  if (check.method === 'recovery_code') {
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.recovery_code.used',
      actor,
      tenantId: input.tenantId,
      target: { type: 'person', id: input.person.id },
      ...input.client,
      details: { purpose: input.purpose, remaining: await mfa.recovery.remaining(tx, input.person.id) },
    });
  }
  return success(check.method);
}
