import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { Person } from '../../../identity/entities.js';
import { authContext, committed, requireUser, success } from '../../context.js';
import { provideSecondFactor } from '../provide-second-factor.js';

/** `POST /auth/mfa/recovery-codes/regenerate`: a TOTP or recovery code, then ten new codes (the old ones die). */
export const regenerateRecoveryCodes: AppRouteImplementation<
  typeof contract.mfa.regenerateRecoveryCodes
> = async ({ body, request }) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const mfa = services.mfa;
  const codes = await committed(em, async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    if (!(await mfa.enabledTotp(tx, person.id))) {
      throw new AppError('mfa_not_enabled', 'Two-step verification is not on for this account');
    }
    const proof = await provideSecondFactor(tx, services, {
      person,
      tenantId: user.tenantId,
      accountId: user.accountId,
      factor: body,
      client,
      purpose: 'regenerate_recovery_codes',
    });
    if (!proof.ok) return proof;
    const codes = await mfa.recovery.regenerate(tx, person.id);
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.recovery_codes.regenerated',
      actor: { type: 'account', id: user.accountId },
      tenantId: user.tenantId,
      target: { type: 'person', id: person.id },
      ...client,
      details: { proof: proof.value, count: codes.length },
    });
    return success(codes);
  });
  return { status: 200, body: { recovery_codes: codes } };
};
