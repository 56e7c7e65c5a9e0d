import { defaultMemberRole, type TokenResponse } from '@enforcer/contract';
import { hashInviteCode } from '@enforcer/core';
import { LockMode } from '@mikro-orm/postgresql';
import { Person } from '../../entities/accounts.js';
import { Invite, Tenant } from '../../entities/tenants.js';
import type { UserPrincipal } from '../../http/principal.js';
import { AppError } from '../../lib/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { createAccount, findAccount, lockIdentity } from './accounts.js';
import { type AuthRequestContext, committed, refuse, success, tenantByCode } from './context.js';
import { openSession } from './sign-in.js';

// A signed-in person's session carried into another tenant: switch, join, accept an invite. Each opens a
// new session there with the current session's `amr`, if that tenant accepts the method behind it.

/**
 * Switch: a new session and token pair scoped to another tenant where the person has
 * an active account. The calling session is not ended (the other tab keeps working).
 */
export async function switchTenant(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  body: { tenant_id: string },
): Promise<TokenResponse> {
  const response = await em.transactional(async (tx) => {
    const account = await findAccount(tx, user.personId, body.tenant_id);
    if (!account) throw new AppError('not_a_member', 'You have no account in that tenant');
    if (!account.active) throw new AppError('account_inactive', 'Your account in that tenant is deactivated');
    const person = await tx.findOneOrFail(Person, user.personId);
    const tenant = await tx.findOneOrFail(Tenant, body.tenant_id);
    services.signInMethods.assertAcceptsSession(tenant, user.claims.amr);
    const session = await openSession(tx, services, {
      account,
      person,
      tenant,
      amr: user.claims.amr,
      client,
    });
    recordAudit(tx, services.clock, {
      action: 'auth.tenant.switched',
      actor: { type: 'account', id: account.id },
      tenantId: tenant.id,
      target: { type: 'session', id: session.sessionId },
      ...client,
      details: { from_tenant_id: user.tenantId, from_session_id: user.sessionId },
    });
    return session.response;
  });
  return response;
}

/**
 * Join: the signed-in person joins a tenant that allows sign-up, by its code, as a
 * `member`, and gets a session there (carrying the current session's `amr`). The current session stays.
 */
export async function joinTenant(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  body: { tenant_code: string },
): Promise<TokenResponse> {
  const tenant = await tenantByCode(em, body.tenant_code);
  const response = await em.transactional(async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    await lockIdentity(tx, person.email ?? person.id);
    if (await findAccount(tx, person.id, tenant.id)) {
      throw new AppError('already_member', 'You already have an account in this tenant: switch to it');
    }
    if (!tenant.allowSignup) throw new AppError('signup_disabled', 'This tenant is invite-only');
    services.signInMethods.assertAcceptsSession(tenant, user.claims.amr);
    const account = createAccount(tx, services.clock, { person, tenant, role: defaultMemberRole });
    const session = await openSession(tx, services, {
      account,
      person,
      tenant,
      amr: user.claims.amr,
      client,
    });
    recordAudit(tx, services.clock, {
      action: 'auth.tenant.joined',
      actor: { type: 'person', id: person.id },
      tenantId: tenant.id,
      target: { type: 'account', id: account.id },
      ...client,
      details: { from_tenant_id: user.tenantId, role: account.role, session_id: session.sessionId },
    });
    return session.response;
  });
  return response;
}

/**
 * Accept an invite: the signed-in person takes an invite addressed to their (verified) email:
 * an account in the invite's tenant with the invite's role, and a session there. An invite works once
 * and until it expires. Unknown, used, expired or someone else's: one answer, `400 invite_invalid`
 * (audited as `auth.invite.refused`), so codes cannot be probed for who they are for.
 */
export async function acceptInvite(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  body: { code: string },
): Promise<TokenResponse> {
  const { clock } = services;
  const response = await committed(em, async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    await lockIdentity(tx, person.email ?? person.id);
    const now = clock.now();
    const invite = await tx.findOne(
      Invite,
      { codeHash: await hashInviteCode(body.code) },
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
  return response;
}
