import { type contract, defaultMemberRole, type Invite, type InviteView } from '@enforcer/contract';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import { auditActorOf, type Caller, callerAccountId } from '../caller.js';
import { AppError } from '../errors.js';
import { type MessageOutboxDeps, queueMail } from '../messaging/outbox.js';
import { pageRequest, toPage } from '../pagination.js';
import {
  addSeconds,
  type Clock,
  type MailDelivery,
  type MailMessage,
  type RandomSource,
} from '../platform.js';
import { assertRoleWithinReach } from '../policy/grants.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { generateInviteCode, hashInviteCode, INVITE_TTL_SECONDS } from './codes.js';
import { type InviteRecord, inviteStatus, type TenantRecord } from './ports.js';

export interface InvitesDeps {
  clock: Clock;
  random: RandomSource;
  /** Without an outbox: where invite mails go (the mock sends nothing). */
  mail: Pick<MailDelivery, 'send'>;
  /**
   * The mail outbox (the server's): the invite's mail is queued in the unit of work that makes the invite,
   * with the tenant's `invite` template and sender, and delivered by the worker with retries; a mail
   * server that is down never fails the request. Without it (the mock), `mail` sends it.
   */
  outbox?: MessageOutboxDeps;
  /** Told of a direct mail's delivery failure (the server logs it); the caller gets `503 unavailable`. */
  onDeliveryFailure?: (error: unknown) => void;
}

type InviteRoutes = Pick<
  Handlers<typeof contract.tenants>,
  'createInvite' | 'listInvites' | 'revokeInvite' | 'resendInvite'
>;

/** The caller's own tenant, and only that one: any other id is a 404, exactly like an id that does not exist. */
export async function ownTenant(repos: Repositories, caller: Caller, id: string, lock = false) {
  const tenant = id === caller.tenantId ? await repos.tenants.find(id, { lock }) : null;
  if (!tenant) throw new AppError('not_found', 'No such tenant');
  return tenant;
}

/** The mail carrying an invite. Plain text: mail clients make the URL clickable. */
export function inviteMessage(input: {
  to: string;
  tenant: { name: string };
  code: string;
  link: string | null;
  expiresAt: Date;
}): MailMessage {
  const open = input.link
    ? ['Open this link to accept it:', '', input.link]
    : [`Sign in to ${input.tenant.name} and enter this invite code:`, '', input.code];
  return {
    to: input.to,
    subject: `You are invited to ${input.tenant.name}`,
    text: [
      `You have been invited to join ${input.tenant.name}.`,
      '',
      ...open,
      '',
      `The invite works once, until ${input.expiresAt.toISOString()}. If you did not expect it, ignore this message.`,
      '',
    ].join('\n'),
  };
}

/**
 * Where an invite's accept link points: `requested` when it is one of the tenant's registered redirect URLs
 * (`400` naming `body.redirect_url` otherwise), else the first of them; null when the tenant has none (the
 * mail then carries the code alone). The link carries `invite_code=<code>`.
 */
export async function acceptLink(repos: Repositories, tenantId: string, code: string, requested?: string) {
  const allowed = await repos.magicLinks.redirectUrls(tenantId);
  if (requested !== undefined && !allowed.includes(requested)) {
    const message = "not one of the tenant's registered redirect URLs (PUT /tenants/{id}/magic-link)";
    throw new AppError('validation_failed', `redirect_url is ${message}`, {
      errors: [{ path: 'body.redirect_url', message }],
    });
  }
  const base = requested ?? allowed[0];
  if (base === undefined) return null;
  const url = new URL(base);
  url.searchParams.set('invite_code', code);
  return url.toString();
}

/**
 * The invite's mail, in the unit of work that makes (or renews) the invite: queued in the outbox when
 * there is one (told to the worker by `inviteQueued` once committed), else sent now (a failure is
 * `503 unavailable`, and the unit of work rolls back).
 */
export async function mailInvite(
  repos: Repositories,
  deps: Pick<InvitesDeps, 'mail' | 'outbox' | 'onDeliveryFailure'>,
  message: Parameters<typeof inviteMessage>[0] & { tenant: TenantRecord },
): Promise<void> {
  if (deps.outbox) {
    await queueMail(repos, deps.outbox, {
      tenant: message.tenant,
      kind: 'invite',
      to: message.to,
      variables: {
        code: message.code,
        link: message.link ?? '',
        expires_at: message.expiresAt.toISOString(),
      },
    });
    return;
  }
  try {
    await deps.mail.send(inviteMessage(message));
  } catch (error) {
    deps.onDeliveryFailure?.(error);
    throw new AppError('unavailable', 'The invite could not be mailed; try again shortly');
  }
}

const inviteView = (invite: InviteRecord, now: Date): InviteView => ({
  id: invite.id,
  email: invite.email,
  phone: invite.phone,
  role: invite.role,
  roles: [...invite.roles].sort(),
  groups: [...invite.groups].sort(),
  provisioned: invite.provisioned,
  status: inviteStatus(invite, now),
  created_by: invite.createdBy,
  created_at: invite.createdAt.toISOString(),
  expires_at: invite.expiresAt.toISOString(),
  accepted_at: invite.acceptedAt?.toISOString() ?? null,
  revoked_at: invite.revokedAt?.toISOString() ?? null,
  sent_at: invite.sentAt?.toISOString() ?? null,
});

/** The invite of the caller's tenant (locked), or 404 for an unknown one or another tenant's. */
async function ownInvite(repos: Repositories, caller: Caller, tenantId: string, inviteId: string) {
  const tenant = await ownTenant(repos, caller, tenantId, true);
  const invite = await repos.invites.find(tenant.id, inviteId, { lock: true });
  if (!invite) throw new AppError('not_found', 'No such invite');
  return { tenant, invite };
}

/** `email` may be invited now: no account in the tenant, no other pending invite. */
async function assertInvitable(repos: Repositories, tenant: TenantRecord, email: string, now: Date) {
  if (await repos.members.hasAccount(tenant.id, email)) {
    throw new AppError('conflict', 'This email already has an account in this tenant');
  }
  if (await repos.invites.hasPending(tenant.id, email, now)) {
    throw new AppError('conflict', 'An invite for this email is already pending');
  }
}

const audit = (
  repos: Repositories,
  caller: Caller,
  ctx: HandlerContext,
  action: string,
  invite: Pick<InviteRecord, 'id' | 'tenantId'>,
  details: Record<string, unknown>,
) =>
  repos.audit.record({
    action,
    actor: auditActorOf(caller),
    tenantId: invite.tenantId,
    target: { type: 'invite', id: invite.id },
    ...ctx.client,
    details,
  });

/**
 * Invites into the caller's tenant: create (and mail), list with their status, revoke, resend. The code is
 * answered once, at creation and at each resend; only its hash is stored, so a resend makes a new code
 * (the old one stops working) and a revocation replaces the hash with that of a code nobody has. Each runs
 * in one unit of work with the tenant locked; the mail is queued in the outbox inside it (the server: a
 * mail server that is down never fails the request, the worker retries), or, without an outbox (the mock),
 * sent last inside it, so a mail that cannot be sent (`503 unavailable`) leaves nothing written.
 */
export const invitesHandlers = (uow: UnitOfWork, deps: InvitesDeps): InviteRoutes => {
  const answer = (
    invite: Pick<InviteRecord, 'id' | 'role' | 'expiresAt'> & { email: string },
    code: string,
    mailed: boolean,
  ): Invite => ({
    id: invite.id,
    code,
    email: invite.email,
    role: invite.role,
    expires_at: invite.expiresAt.toISOString(),
    mailed,
  });

  return {
    /**
     * `POST /tenants/{id}/invites`: an invite for an email with no account (and no pending invite) in the
     * tenant, for a role within the caller's reach; mailed unless `send_email: false`.
     */
    createInvite: async ({ params, body }, ctx) => {
      const caller = callerOf(ctx);
      const role = body.role ?? defaultMemberRole;
      const email = body.email.toLowerCase();
      const send = body.send_email ?? true;
      const code = generateInviteCode(deps.random);
      const codeHash = await hashInviteCode(code);
      const invite = await uow.transaction(async (repos) => {
        // Locking the tenant serialises invites, so two requests cannot both create one for an email.
        const tenant = await ownTenant(repos, caller, params.id, true);
        const policy = await repos.policies.forTenant(tenant.id);
        assertRoleWithinReach(policy, caller, role, 'The invite');
        const now = deps.clock.now();
        await assertInvitable(repos, tenant, email, now);
        const link = send ? await acceptLink(repos, tenant.id, code, body.redirect_url) : null;
        const invite = {
          id: deps.random.uuid(),
          tenantId: tenant.id,
          email,
          phone: null,
          role,
          roles: [role],
          groups: [],
          provisioned: false,
          codeHash,
          createdBy: callerAccountId(caller),
          expiresAt: addSeconds(now, INVITE_TTL_SECONDS),
          acceptedAt: null,
        };
        await repos.invites.create(invite);
        if (send) await repos.invites.update(invite.id, { sentAt: now });
        audit(repos, caller, ctx, 'invite.created', invite, { email, role, mailed: send });
        if (send) {
          await mailInvite(repos, deps, { to: email, tenant, code, link, expiresAt: invite.expiresAt });
        }
        return invite;
      });
      if (send) deps.outbox?.onQueued?.();
      return { status: 201, body: answer(invite, code, send) };
    },

    /** `GET /tenants/{id}/invites`: every invite with its status now, oldest first, optionally one status. */
    listInvites: async ({ params, query }, ctx) => {
      const caller = callerOf(ctx);
      const now = deps.clock.now();
      return uow.read(async (repos) => {
        const tenant = await ownTenant(repos, caller, params.id);
        const rows = await repos.invites.list(tenant.id, {
          ...pageRequest(query),
          now,
          ...(query.status ? { status: query.status } : {}),
        });
        return { status: 200, body: toPage(rows, query.limit, (invite) => inviteView(invite, now)) };
      });
    },

    /**
     * `DELETE /tenants/{id}/invites/{invite_id}`: the code stops working at once (its hash is replaced).
     * A revoked invite answers 204 again; an accepted one is `409 conflict` (remove the account instead).
     */
    revokeInvite: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      await uow.transaction(async (repos) => {
        const { invite } = await ownInvite(repos, caller, params.id, params.invite_id);
        if (invite.revokedAt) return;
        if (invite.acceptedAt) throw new AppError('conflict', 'This invite was accepted already');
        const policy = await repos.policies.forTenant(invite.tenantId);
        // Nobody revokes an invite into a role above their own (the same reach as creating it).
        if (Object.hasOwn(policy.effective.roles, invite.role)) {
          assertRoleWithinReach(policy, caller, invite.role, "This invite's");
        }
        const now = deps.clock.now();
        await repos.invites.update(invite.id, {
          revokedAt: now,
          codeHash: await hashInviteCode(generateInviteCode(deps.random)),
        });
        audit(repos, caller, ctx, 'invite.revoked', invite, {
          email: invite.email,
          role: invite.role,
          was: inviteStatus(invite, now),
        });
      });
      return { status: 204, body: undefined };
    },

    /**
     * `POST /tenants/{id}/invites/{invite_id}/resend`: a new code (the old one stops working), a new expiry,
     * mailed. Only a pending or expired invite, still for a role within the caller's reach, for an email
     * that has no account and no other pending invite.
     */
    resendInvite: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      const code = generateInviteCode(deps.random);
      const codeHash = await hashInviteCode(code);
      const resent = await uow.transaction(async (repos) => {
        const { tenant, invite } = await ownInvite(repos, caller, params.id, params.invite_id);
        const now = deps.clock.now();
        const status = inviteStatus(invite, now);
        if (status === 'accepted' || status === 'revoked') {
          throw new AppError('conflict', `This invite was ${status}: create a new one`);
        }
        const email = invite.email;
        if (email === null) {
          throw new AppError('conflict', 'This provisioning names a phone alone: there is no email to mail');
        }
        const policy = await repos.policies.forTenant(tenant.id);
        assertRoleWithinReach(policy, caller, invite.role, 'The invite');
        if (status === 'expired') await assertInvitable(repos, tenant, email, now);
        else if (await repos.members.hasAccount(tenant.id, email)) {
          throw new AppError('conflict', 'This email already has an account in this tenant');
        }
        const expiresAt = addSeconds(now, INVITE_TTL_SECONDS);
        await repos.invites.update(invite.id, { codeHash, expiresAt, sentAt: now });
        audit(repos, caller, ctx, 'invite.resent', invite, {
          email: invite.email,
          role: invite.role,
          was: status,
        });
        const link = await acceptLink(repos, tenant.id, code);
        await mailInvite(repos, deps, { to: email, tenant, code, link, expiresAt });
        return { ...invite, email, expiresAt };
      });
      deps.outbox?.onQueued?.();
      return { status: 200, body: answer(resent, code, true) };
    },
  };
};
