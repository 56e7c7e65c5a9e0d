import type { contract } from '@enforcer/contract';
import { LockMode } from '@mikro-orm/postgresql';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import { Person } from '../../identity/entities.js';
import { Invite, Tenant } from '../../tenants/entities.js';
import { hashInviteCode } from '../../tenants/invite-code.js';
import { createAccount, findAccount, lockIdentity } from '../accounts.js';
import { authContext, committed, refuse, requireUser, success } from '../context.js';
import { openSession } from '../sign-in.js';

/**
 * `POST /auth/invites/accept`: the signed-in person takes an invite addressed to their (verified) email:
 * an account in the invite's tenant with the invite's role, and a session there. An invite works once
 * and until it expires. Unknown, used, expired or someone else's: one answer, `400 invite_invalid`
 * (audited as `auth.invite.refused`), so codes cannot be probed for who they are for.
 */
export const acceptInvite: AppRouteImplementation<typeof contract.auth.acceptInvite> = async ({
  body,
  request,
}) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const { clock } = services;
  const response = await committed(em, async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    await lockIdentity(tx, person.email ?? person.id);
    const now = clock.now();
    const invite = await tx.findOne(
      Invite,
      { codeHash: hashInviteCode(body.code) },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    const reason = !invite
      ? 'unknown'
      : invite.acceptedAt
        ? 'used'
        : invite.expiresAt <= now
          ? 'expired'
          : invite.email !== person.email || !person.emailVerifiedAt
            ? 'other_email'
            : undefined;
    if (!invite || reason) {
      recordAudit(tx, clock, {
        action: 'auth.invite.refused',
        actor: { type: 'account', id: user.accountId },
        tenantId: invite?.tenant.id ?? user.tenantId,
        target: invite ? { type: 'invite', id: invite.id } : null,
        ...client,
        details: { reason },
      });
      return refuse(
        new AppError('invite_invalid', 'This invite is unknown, used, expired or for someone else'),
      );
    }
    const tenant = await tx.findOneOrFail(Tenant, invite.tenant.id);
    if (await findAccount(tx, person.id, tenant.id)) {
      throw new AppError('already_member', 'You already have an account in this tenant: switch to it');
    }
    services.signInMethods.assertAcceptsSession(tenant, user.claims.amr);
    const account = createAccount(tx, clock, { person, tenant, role: invite.role });
    await tx.flush();
    invite.acceptedAt = now;
    invite.acceptedBy = account.id;
    const session = await openSession(tx, services, {
      account,
      person,
      tenant,
      amr: user.claims.amr,
      client,
    });
    recordAudit(tx, clock, {
      action: 'auth.invite.accepted',
      actor: { type: 'account', id: account.id },
      tenantId: tenant.id,
      target: { type: 'invite', id: invite.id },
      ...client,
      details: { role: account.role, invited_by: invite.createdBy ?? null, session_id: session.sessionId },
    });
    return success(session.response);
  });
  return { status: 200, body: response };
};
