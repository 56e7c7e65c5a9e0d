import { defaultMemberRole, type TokenResponse } from '@enforcer/contract';
import { takeInvite } from '../accounts/provisioning.js';
import { admitAccount } from '../accounts/status.js';
import { auditActorOf, type ClientInfo, type UserCaller } from '../caller.js';
import { AppError } from '../errors.js';
import type { Clock } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { hashInviteCode } from '../tenants/codes.js';
import type { TenantRecord } from '../tenants/ports.js';
import { acceptsSession, committed, type SignInMethods, tenantByCode } from './login.js';
import type { SessionTokens } from './open-session.js';

// A signed-in person's session carried into another tenant: switch, join, accept an invite. Each opens a
// new session there with the current session's `amr`, if that tenant accepts the method behind it. The
// calling session is not ended (the other tab keeps working).

export interface TenantSessionDeps {
  uow: UnitOfWork;
  clock: Clock;
  methods: SignInMethods;
  sessions: SessionTokens;
}

function assertAcceptsSession(deps: TenantSessionDeps, tenant: TenantRecord, amr: readonly string[]) {
  if (!acceptsSession(deps.methods, tenant.authProviders, amr)) {
    throw new AppError(
      'provider_not_allowed',
      'This tenant does not accept the sign-in method of your session; sign in to it directly',
    );
  }
}

const alreadyMember = () =>
  new AppError('already_member', 'You already have an account in this tenant: switch to it');

async function lockedPerson(repos: Repositories, personId: string) {
  const person = await repos.persons.find(personId);
  if (!person) throw new AppError('unauthenticated', 'This call needs a signed-in user');
  await repos.persons.lock(person.email ?? person.id);
  return person;
}

/** `POST /auth/tenant/switch`: a new session in another tenant where the person has an active account. */
export function switchTenant(
  deps: TenantSessionDeps,
  user: UserCaller,
  tenantId: string,
  client: ClientInfo,
): Promise<TokenResponse> {
  return deps.uow.transaction(async (repos) => {
    const account = await repos.accounts.findOfPerson(user.personId, tenantId);
    if (!account) throw new AppError('not_a_member', 'You have no account in that tenant');
    const { refusal } = await admitAccount(repos, account, deps.clock.now(), client);
    if (refusal) throw refusal;
    const tenant = await repos.tenants.find(tenantId);
    if (!tenant) throw new AppError('not_a_member', 'You have no account in that tenant');
    assertAcceptsSession(deps, tenant, user.amr ?? []);
    const session = await deps.sessions.open(repos, { accountId: account.id, amr: user.amr ?? [], client });
    repos.audit.record({
      action: 'auth.tenant.switched',
      actor: { type: 'account', id: account.id },
      tenantId: tenant.id,
      target: { type: 'session', id: session.sessionId },
      ...client,
      details: { from_tenant_id: user.tenantId, from_session_id: user.sessionId },
    });
    return session.response;
  });
}

/** `POST /auth/tenant/join`: joins a tenant that allows sign-up, by its code, as a `member`. */
export async function joinTenant(
  deps: TenantSessionDeps,
  user: UserCaller,
  tenantCode: string,
  client: ClientInfo,
): Promise<TokenResponse> {
  const tenant = await deps.uow.read((repos) => tenantByCode(repos, tenantCode));
  return deps.uow.transaction(async (repos) => {
    const person = await lockedPerson(repos, user.personId);
    if (await repos.accounts.findOfPerson(person.id, tenant.id)) throw alreadyMember();
    if (!tenant.allowSignup) throw new AppError('signup_disabled', 'This tenant is invite-only');
    assertAcceptsSession(deps, tenant, user.amr ?? []);
    const account = await repos.accounts.create({
      personId: person.id,
      tenantId: tenant.id,
      role: defaultMemberRole,
    });
    const session = await deps.sessions.open(repos, { accountId: account.id, amr: user.amr ?? [], client });
    repos.audit.record({
      action: 'auth.tenant.joined',
      actor: { type: 'person', id: person.id },
      tenantId: tenant.id,
      target: { type: 'account', id: account.id },
      ...client,
      details: { from_tenant_id: user.tenantId, role: account.role, session_id: session.sessionId },
    });
    return session.response;
  });
}

/**
 * `POST /auth/invites/accept`: the signed-in person takes an invite addressed to their (verified) email:
 * an account in the invite's tenant with the invite's role, and a session there. An invite works once and
 * until it expires. Unknown, used, expired or someone else's: one answer, `400 invite_invalid` (audited as
 * `auth.invite.refused`), so codes cannot be probed for who they are for.
 */
export async function acceptInvite(
  deps: TenantSessionDeps,
  user: UserCaller,
  code: string,
  client: ClientInfo,
): Promise<TokenResponse> {
  const codeHash = await hashInviteCode(code);
  return committed(deps.uow, async (repos) => {
    const person = await lockedPerson(repos, user.personId);
    const now = deps.clock.now();
    const invite = await repos.invites.findByCodeHash(codeHash, { lock: true });
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
      repos.audit.record({
        action: 'auth.invite.refused',
        actor: auditActorOf(user),
        tenantId: invite?.tenantId ?? user.tenantId,
        target: invite ? { type: 'invite', id: invite.id } : null,
        ...client,
        details: { reason },
      });
      const error = new AppError(
        'invite_invalid',
        'This invite is unknown, used, expired or for someone else',
      );
      return { ok: false, error };
    }
    const tenant = await repos.tenants.find(invite.tenantId);
    if (!tenant)
      throw new AppError('invite_invalid', 'This invite is unknown, used, expired or for someone else');
    if (await repos.accounts.findOfPerson(person.id, tenant.id)) throw alreadyMember();
    assertAcceptsSession(deps, tenant, user.amr ?? []);
    // Every role and group it names (a provisioning's several), the invite taken.
    const account = await takeInvite(repos, invite, person.id, now);
    const session = await deps.sessions.open(repos, { accountId: account.id, amr: user.amr ?? [], client });
    repos.audit.record({
      action: 'auth.invite.accepted',
      actor: { type: 'account', id: account.id },
      tenantId: tenant.id,
      target: { type: 'invite', id: invite.id },
      ...client,
      details: { role: account.role, invited_by: invite.createdBy ?? null, session_id: session.sessionId },
    });
    return { ok: true, value: session.response };
  });
}
