import { type contract, defaultMemberRole, type Provisioning } from '@enforcer/contract';
import { callerOf, type Handler } from '../api/handlers.js';
import { auditActorOf, callerAccountId } from '../caller.js';
import { AppError } from '../errors.js';
import { groupDto } from '../groups/handlers.js';
import type { MessageOutboxDeps } from '../messaging/outbox.js';
import {
  addSeconds,
  type Clock,
  type MailDelivery,
  type RandomSource,
  webCryptoHashing,
} from '../platform.js';
import { assertNoEscalation, assertRoleWithinReach, callerCan, requireRole } from '../policy/grants.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { generateInviteCode, hashInviteCode, INVITE_TTL_SECONDS } from '../tenants/codes.js';
import { acceptLink, mailInvite, ownTenant } from '../tenants/invites.js';
import { assertGroupsPerAccount, assertRolesPerAccount, tenantLimits } from '../tenants/limits.js';
import { type InviteRecord, inviteStatus } from '../tenants/ports.js';
import type { AccountRecord } from './ports.js';

/** How long an `Idempotency-Key` answers its first answer. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface ProvisioningDeps {
  clock: Clock;
  random: RandomSource;
  /** Without an outbox: where invitation mails go (the mock sends nothing). */
  mail: Pick<MailDelivery, 'send'>;
  /** The mail outbox (the server's): the invitation is queued with the provisioning (see `mailInvite`). */
  outbox?: MessageOutboxDeps;
  onDeliveryFailure?: (error: unknown) => void;
}

const fieldError = (path: string, message: string) =>
  new AppError('validation_failed', message, { errors: [{ path, message }] });

/** The request's `Idempotency-Key`, if any: 1-255 printable ASCII characters (`400` otherwise). */
function idempotencyKeyOf(headers: unknown): string | undefined {
  const value = (headers as Record<string, string | string[] | undefined>)['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw fieldError('headers.idempotency-key', 'one key of 1 to 255 printable ASCII characters');
  }
  return value;
}

/** Whether someone already has an account in the tenant under this phone (a proven phone sign-in). */
async function phoneHasAccount(repos: Repositories, tenantId: string, phone: string): Promise<boolean> {
  const identity = await repos.identities.findBySubject('phone_otp', phone);
  return identity !== null && (await repos.accounts.findOfPerson(identity.personId, tenantId)) !== null;
}

const provisioningDto = (invite: InviteRecord, now: Date, mailed: boolean): Provisioning => ({
  id: invite.id,
  email: invite.email,
  phone: invite.phone,
  roles: [...invite.roles].sort(),
  groups: [...invite.groups].sort(),
  status: inviteStatus(invite, now),
  expires_at: invite.expiresAt.toISOString(),
  mailed,
});

/**
 * `POST /accounts`: a pending provisioning (an invite marked `provisioned`, with every role and group),
 * never a person. Nothing is looked up about people outside the tenant, so the answer does not tell
 * whether anyone uses the email elsewhere; the account is made when someone proves the email or phone
 * (`takeInvite`: accepting the mail's code, or `joinProvisioned` at sign-in). In one unit of work with the
 * tenant locked, which also serialises requests with the same `Idempotency-Key`: the first answer is
 * kept for 24 hours, the same key with another body is `409 idempotency_key_reused`. The invitation is
 * queued in the outbox in that unit of work (the server), so a mail server that is down changes nothing in
 * the answer; without an outbox (the mock) it is sent last, and a mail that cannot go (`503`) leaves
 * nothing written.
 */
export const provisionHandler =
  (uow: UnitOfWork, deps: ProvisioningDeps): Handler<typeof contract.accounts.provision> =>
  async ({ headers, body }, ctx) => {
    const caller = callerOf(ctx);
    const key = idempotencyKeyOf(headers);
    const roles = [...new Set(body.roles ?? [defaultMemberRole])];
    const groups = [...new Set(body.groups ?? [])].sort();
    const email = body.email ?? null;
    const phone = body.phone ?? null;
    const send = body.send_invitation ?? false;
    // The request as it means the same: role order matters (the first is primary), group order does not.
    const requestHash = await webCryptoHashing.sha256(
      JSON.stringify([email, phone, roles, groups, send, body.redirect_url ?? null]),
    );
    const code = generateInviteCode(deps.random);
    const codeHash = await hashInviteCode(code);
    const dto = await uow.transaction(async (repos) => {
      const tenant = await ownTenant(repos, caller, caller.tenantId, true);
      const now = deps.clock.now();
      if (key !== undefined) {
        const first = await repos.idempotency.find(tenant.id, key, now);
        if (first) {
          if (first.requestHash !== requestHash) {
            throw new AppError(
              'idempotency_key_reused',
              'This Idempotency-Key was used with another request: use a new key for a new request',
            );
          }
          return first.body as Provisioning;
        }
      }
      const policy = await repos.policies.forTenant(tenant.id);
      const limits = await tenantLimits(repos, tenant.id);
      for (const role of roles) {
        requireRole(policy, role, 'body.roles');
        assertRoleWithinReach(policy, caller, role, 'The');
      }
      assertRolesPerAccount(limits, roles.length - 1);
      if (groups.length > 0) {
        // Joining a group is what `POST /groups/{id}/members` does: the same permission and reach.
        if (!callerCan(policy, caller, 'groups.members.write')) {
          throw new AppError('forbidden', 'Adding accounts to groups needs "groups.members.write"');
        }
        assertGroupsPerAccount(limits, groups.length - 1);
        for (const name of groups) {
          const group = await repos.groups.findByName(tenant.id, name);
          if (!group) throw fieldError('body.groups', `There is no group "${name}" in this tenant`);
          assertNoEscalation(policy, caller, groupDto(group, policy).permissions);
        }
      }
      if (email !== null) {
        if (await repos.members.hasAccount(tenant.id, email)) {
          throw new AppError('conflict', 'This email already has an account in this tenant');
        }
        if (await repos.invites.hasPending(tenant.id, email, now)) {
          throw new AppError('conflict', 'An invite or provisioning for this email is already pending');
        }
      }
      if (phone !== null) {
        if (await phoneHasAccount(repos, tenant.id, phone)) {
          throw new AppError('conflict', 'This phone already has an account in this tenant');
        }
        if (await repos.invites.pendingProvisioning(tenant.id, { emails: [], phones: [phone] }, now)) {
          throw new AppError('conflict', 'A provisioning for this phone is already pending');
        }
      }
      const link = send ? await acceptLink(repos, tenant.id, code, body.redirect_url) : null;
      const invite: InviteRecord = {
        id: deps.random.uuid(),
        tenantId: tenant.id,
        email,
        phone,
        role: roles[0]!,
        roles,
        groups,
        provisioned: true,
        codeHash,
        createdBy: callerAccountId(caller),
        expiresAt: addSeconds(now, INVITE_TTL_SECONDS),
        acceptedAt: null,
        createdAt: now,
        revokedAt: null,
        sentAt: send ? now : null,
      };
      await repos.invites.create(invite);
      if (send) await repos.invites.update(invite.id, { sentAt: now });
      repos.audit.record({
        action: 'account.provisioned',
        actor: auditActorOf(caller),
        tenantId: tenant.id,
        target: { type: 'invite', id: invite.id },
        ...ctx.client,
        details: { email, phone, roles, groups, mailed: send },
      });
      const answer = provisioningDto(invite, now, send);
      if (key !== undefined) {
        await repos.idempotency.save(
          tenant.id,
          key,
          { requestHash, status: 201, body: answer },
          addSeconds(now, IDEMPOTENCY_TTL_SECONDS),
        );
      }
      if (send && email !== null) {
        await mailInvite(repos, deps, { to: email, tenant, code, link, expiresAt: invite.expiresAt });
      }
      return answer;
    });
    if (send && email !== null) deps.outbox?.onQueued?.();
    return { status: 201, body: dto };
  };

/**
 * Makes the account an invite or provisioning describes, for `personId`, in the caller's unit of work:
 * every role, and the groups that still exist (one deleted since is skipped), then the invite is taken.
 * The caller checked that the person proved the address and has no account in the tenant.
 */
export async function takeInvite(
  repos: Repositories,
  invite: InviteRecord,
  personId: string,
  now: Date,
): Promise<AccountRecord> {
  const account = await repos.accounts.create({
    personId,
    tenantId: invite.tenantId,
    role: invite.role,
    roles: invite.roles,
  });
  for (const name of invite.groups) {
    const group = await repos.groups.findByName(invite.tenantId, name);
    if (group) await repos.groups.addMember(group, account.id);
  }
  await repos.invites.accept(invite.id, account.id, now);
  return account;
}

/**
 * The JIT join: at sign-in to a tenant where the person has no account, a pending provisioning addressed
 * to their verified email or to a phone they proved makes their account (the oldest, when several
 * match). Null when none does. In the sign-in's unit of work.
 */
export async function joinProvisioned(
  repos: Repositories,
  input: {
    person: { id: string; email: string | null; emailVerifiedAt: Date | null };
    tenantId: string;
    now: Date;
  },
): Promise<{ account: AccountRecord; invite: InviteRecord } | null> {
  const { person } = input;
  const emails = person.email !== null && person.emailVerifiedAt !== null ? [person.email] : [];
  const phones = (await repos.identities.ofPerson(person.id))
    .filter((identity) => identity.provider === 'phone_otp')
    .map((identity) => identity.subject);
  const invite = await repos.invites.pendingProvisioning(input.tenantId, { emails, phones }, input.now);
  if (!invite) return null;
  return { account: await takeInvite(repos, invite, person.id, input.now), invite };
}
