import { type Account, type AccountStatus, type contract, uncoveredPatterns } from '@enforcer/contract';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import { auditActorOf, type Caller, type ClientInfo, subjectOfCaller } from '../caller.js';
import { AppError } from '../errors.js';
import { pageRequest, toPage } from '../pagination.js';
import type { Clock } from '../platform.js';
import {
  assertRolesWithinReach,
  assertRoleWithinReach,
  callerPermissions,
  managerRoles,
  requireAllowed,
  rolePermissions,
} from '../policy/grants.js';
import { callerPolicy } from '../policy/handlers.js';
import { accountResource } from '../policy/resources.js';
import type { TenantPolicy } from '../policy/tenant-policy.js';
import { accountSessionsHandlers, endedSessionsDetails } from '../sessions/handlers.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { assertRolesPerAccount, tenantLimits } from '../tenants/limits.js';
import { personIdentifier, phoneIdentifier } from '../throttle/rules.js';
import type { SignInThrottle } from '../throttle/sign-in-throttle.js';
import { assertMetadataFits, type MetadataView, mergeMetadata, metadataFields } from './metadata.js';
import type { AccountMetadata, AccountProfile, AccountRecord, StatusActor } from './ports.js';
import { type ProvisioningDeps, provisionHandler } from './provisioning.js';
import { listedStatuses, statusChange } from './status.js';

/** An account answer; `metadata` says which metadata objects it shows (none unless told). */
export const accountDto = (a: AccountProfile, metadata: MetadataView = 'none'): Account => ({
  id: a.id,
  person_id: a.personId,
  tenant_id: a.tenantId,
  email: a.email,
  role: a.role,
  roles: [...a.roles].sort(),
  active: a.active,
  status: a.status,
  status_reason: a.statusReason,
  status_changed_at: a.statusChangedAt?.toISOString() ?? null,
  status_changed_by: a.statusChangedBy ? { ...a.statusChangedBy } : null,
  locked_until: a.lockedUntil?.toISOString() ?? null,
  groups: [...a.groups],
  created_at: a.createdAt.toISOString(),
  ...metadataFields(a.metadata, metadata),
});

/**
 * Sets the roles an account holds (grant order), in the caller's unit of work: its grant version is bumped
 * (tokens minted before and the revocation feed learn of it) and the change is audited as `action`, with
 * the roles before and after.
 */
export async function changeAccountRoles(
  repos: Repositories,
  caller: Caller,
  client: Partial<ClientInfo>,
  account: Pick<AccountRecord, 'id' | 'roles'>,
  roles: string[],
  audit: { action: string; details: Record<string, unknown> },
): Promise<void> {
  await repos.accounts.update(account.id, { roles });
  await repos.accounts.bumpGrantVersion(account.id);
  // Whom it impersonates, it did with the roles it had (#14): those sessions end (the feed shows it).
  await repos.accountSessions.endActedBy(account.id, 'actor_role_changed');
  repos.audit.record({
    action: audit.action,
    actor: auditActorOf(caller),
    tenantId: caller.tenantId,
    target: { type: 'account', id: account.id },
    ...client,
    details: { ...audit.details, roles_before: [...account.roles], roles_after: roles },
  });
}

/**
 * Moves an account from role `from` to role `to` (every other role it holds stays, `to` where `from` was),
 * audited as `account.role.changed`: a role's deletion with `reassign_to`.
 */
export const changeAccountRole = (
  repos: Repositories,
  caller: Caller,
  client: Partial<ClientInfo>,
  account: Pick<AccountRecord, 'id' | 'roles'>,
  change: { from: string; to: string; via?: string },
): Promise<void> =>
  changeAccountRoles(repos, caller, client, account, replaceRole(account.roles, change.from, change.to), {
    action: 'account.role.changed',
    details: change,
  });

/** `roles` with `from` replaced by `to` in its place (once: `to` already held stays where it was). */
export function replaceRole(roles: readonly string[], from: string, to: string): string[] {
  return [...new Set(roles.map((r) => (r === from ? to : r)))];
}

/** Every identifier a person's sign-in attempts may be counted under: email, person id, phone numbers. */
export const signInIdentifiers = (person: { personId: string; email: string | null; phones: string[] }) => [
  ...new Set([
    personIdentifier({ id: person.personId, email: person.email }),
    `person:${person.personId}`,
    ...person.phones.map(phoneIdentifier),
  ]),
];

/**
 * An account as an account route answers it for `caller`: with `private_metadata` only when the caller
 * could `PATCH` it (allowed `accounts.update` on it, and its role within their reach: who may write it may
 * read it), else with its public and user metadata.
 */
async function profileOf(
  repos: Repositories,
  accountId: string,
  caller: Caller,
  policy: TenantPolicy,
): Promise<Account> {
  const [profile] = await repos.accounts.profiles([accountId]);
  if (!profile) throw new AppError('not_found', 'No such account');
  return accountDto(profile, metadataView(policy, caller, profile));
}

function metadataView(policy: TenantPolicy, caller: Caller, account: AccountRecord): MetadataView {
  if (!policy.compiled.can(subjectOfCaller(caller), 'accounts.update', accountResource(account))) {
    return 'readable';
  }
  // Every role the account holds must be within the caller's reach (a role gone from the policy grants nothing).
  const held = callerPermissions(policy, caller);
  const granted = account.roles.flatMap((role) => rolePermissions(policy, role) ?? []);
  return uncoveredPatterns(held, granted).length === 0 ? 'all' : 'readable';
}

/**
 * The account an admin call is about: in the caller's tenant and visible to the caller (404 otherwise), the
 * caller allowed `action` on it (403 otherwise, e.g. the default policy's rule that an inactive account
 * cannot be promoted), and not outranking the caller: nobody changes the role or the status of someone who
 * holds more than they do. Locked.
 */
async function targetAccount(
  repos: Repositories,
  policy: TenantPolicy,
  caller: Caller,
  id: string,
  action: string,
): Promise<AccountRecord> {
  const account = await repos.accounts.find(caller.tenantId, id, { lock: true });
  if (!account) throw new AppError('not_found', 'No such account');
  requireAllowed(policy, caller, {
    action,
    readAction: 'accounts.read',
    resource: accountResource(account),
    what: 'account',
  });
  assertRolesWithinReach(policy, caller, account);
  return account;
}

/**
 * `409 last_admin` when the change would leave the tenant without an active account whose role can manage
 * it (change its policy). The caller holds the tenant lock, so two admins demoting each other at once
 * cannot both succeed.
 */
async function assertManagerRemains(
  repos: Repositories,
  policy: TenantPolicy,
  account: AccountRecord,
  after: { roles: readonly string[]; active: boolean },
): Promise<void> {
  const managers = managerRoles(policy.compiled, account.tenantId);
  const isManager = account.active && account.roles.some((r) => managers.includes(r));
  const staysManager = after.active && after.roles.some((r) => managers.includes(r));
  if (!isManager || staysManager) return;
  if ((await repos.accounts.countActive(account.tenantId, managers, account.id)) === 0) {
    throw new AppError(
      'last_admin',
      'This is the last active account that can manage the tenant: promote another one first',
    );
  }
}

/** Who changes a status, as the account keeps it. */
function statusActorOf(caller: Caller): StatusActor {
  if (caller.kind === 'user') return { type: 'account', id: caller.accountId };
  if (caller.kind === 'api_key') return { type: 'api_key', id: caller.apiKeyId };
  // Applications' tokens reach only the decision routes (`clientToken`); never an account's status.
  throw new AppError('credential_not_allowed', "An application's token cannot change an account");
}

/** Lock, ban, delete and second-factor reset are for other people's accounts: `403 self_target` on one's own. */
function assertNotSelf(caller: Caller, account: AccountRecord, what: string): void {
  if (caller.kind === 'user' && caller.accountId === account.id) {
    throw new AppError('self_target', `You cannot ${what} your own account`);
  }
}

/**
 * A change of an account's status by an admin (`setActive`, lock, ban, unban, delete, restore): `to` from
 * one of `from`. The account already in `to` answers unchanged (lock replaces its reason and `until`);
 * any other status is `409 status_conflict`.
 */
interface StatusTransition {
  permission: string;
  to: AccountStatus;
  from: readonly AccountStatus[];
  /** The audit action. */
  action: string;
  /** Refused on the caller's own account (`self_target`), with this verb. */
  notSelf?: string;
  /** Locking a locked account again replaces its reason and `until`. */
  replaces?: boolean;
}

/** The statuses lock, ban and delete may start from, and the ones setActive and the lifts go back from. */
const transitions = {
  deactivate: {
    permission: 'accounts.active.update',
    to: 'deactivated',
    from: ['active'],
    action: 'account.deactivated',
  },
  activate: {
    permission: 'accounts.active.update',
    to: 'active',
    from: ['deactivated'],
    action: 'account.activated',
  },
  lock: {
    permission: 'accounts.lock',
    to: 'locked',
    from: ['active'],
    action: 'account.locked',
    notSelf: 'lock',
    replaces: true,
  },
  ban: {
    permission: 'accounts.ban',
    to: 'banned',
    from: ['active', 'locked', 'deactivated'],
    action: 'account.banned',
    notSelf: 'ban',
  },
  unban: { permission: 'accounts.ban', to: 'active', from: ['banned'], action: 'account.unbanned' },
  delete: {
    permission: 'accounts.delete',
    to: 'deleted',
    from: ['active', 'locked', 'banned', 'deactivated'],
    action: 'account.deleted',
    notSelf: 'delete',
  },
  restore: { permission: 'accounts.delete', to: 'active', from: ['deleted'], action: 'account.restored' },
} as const satisfies Record<string, StatusTransition>;

/**
 * Runs a status transition on the account `id`, in one unit of work holding the tenant lock: the caller
 * narrowed as for a role change (`targetAccount`), the last-manager rule, then the status fields, a grant
 * version bump (the revocation feed shows it), every session ended when the account leaves `active`, and
 * the audit record with the reason.
 */
function changeStatus(
  uow: UnitOfWork,
  clock: Clock,
  t: StatusTransition,
  id: string,
  ctx: HandlerContext,
  input: { reason?: string; until?: Date } = {},
): Promise<Account> {
  const caller = callerOf(ctx);
  return uow.transaction(async (repos) => {
    const policy = await repos.policies.forTenant(caller.tenantId, { lock: true });
    const account = await targetAccount(repos, policy, caller, id, t.permission);
    if (t.notSelf) assertNotSelf(caller, account, t.notSelf);
    if (account.status === t.to && !t.replaces) return profileOf(repos, account.id, caller, policy);
    if (account.status !== t.to && !t.from.includes(account.status)) {
      throw new AppError(
        'status_conflict',
        `This account is ${account.status}: it cannot be made ${t.to} this way`,
      );
    }
    await assertManagerRemains(repos, policy, account, { roles: account.roles, active: t.to === 'active' });
    const now = clock.now();
    const by = statusActorOf(caller);
    await repos.accounts.update(account.id, {
      status: statusChange(t.to, { at: now, by, reason: input.reason, lockedUntil: input.until }),
    });
    await repos.accounts.bumpGrantVersion(account.id);
    // Leaving `active` ends every session now: no refresh, and the HTTP layer refuses its access tokens.
    const ended = t.to === 'active' ? [] : await repos.accountSessions.endAll(account.id, `account_${t.to}`);
    // So do the sessions it acts in as someone else (impersonation, #14).
    if (t.to !== 'active') await repos.accountSessions.endActedBy(account.id, `actor_${t.to}`);
    repos.audit.record({
      action: t.action,
      actor: auditActorOf(caller),
      tenantId: caller.tenantId,
      target: { type: 'account', id: account.id },
      ...ctx.client,
      details: {
        from: account.status,
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
        ...(input.until ? { until: input.until.toISOString() } : {}),
        ...(t.to === 'active' ? {} : endedSessionsDetails(ended, `account_${t.to}`)),
      },
    });
    return profileOf(repos, account.id, caller, policy);
  });
}

/** A person's second factor protects their accounts in every tenant: `409 mfa_shared` if another is live. */
async function assertFactorNotShared(repos: Repositories, account: AccountRecord): Promise<void> {
  const limit = 100;
  let after: AccountRecord | undefined;
  for (;;) {
    const page = await repos.accounts.ofPerson(account.personId, { after, limit });
    if (page.some((a) => a.tenantId !== account.tenantId && a.status !== 'deleted')) {
      throw new AppError(
        'mfa_shared',
        "This person's second factor also protects their account in another tenant: they must use a recovery code, or reset it where every tenant agrees",
      );
    }
    if (page.length < limit) return;
    after = page.at(-1);
  }
}

/**
 * Accounts. Lists are filtered by the engine (`accounts.read` on `account`): an admin sees every account, a
 * member only their own (the default policy's rule). Role and status changes lock the tenant (see
 * assertManagerRemains), bump the account's grant version and are audited; deactivation ends every session
 * of the account. Unlock lifts the sign-in throttle's lockout and delay of every identifier the account's
 * person signs in with.
 */
/**
 * `throttle`: the sign-in throttle whose lockouts `unlock` lifts (in the handler's unit of work); `clock`:
 * when an account's sessions are ended (`sessions/handlers.ts`); `random` and `mail`: provisioning's code
 * and invitation mail (`provisioning.ts`).
 */
export const accountsHandlers = (
  uow: UnitOfWork,
  deps: { throttle: Pick<SignInThrottle, 'unlock'> } & ProvisioningDeps,
): Omit<Handlers<typeof contract.accounts>, 'impersonate'> => ({
  // Impersonation is `impersonation/handlers.ts`, composed next to these by the server and the mock.
  ...accountSessionsHandlers({ uow, clock: deps.clock }),

  provision: provisionHandler(uow, deps),

  list: async ({ query }, ctx) => {
    const caller = callerOf(ctx);
    return uow.read(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const visible = policy.compiled.plan(subjectOfCaller(caller), 'accounts.read', 'account');
      const rows = await repos.accounts.list(caller.tenantId, {
        ...pageRequest(query),
        visible,
        email: query.email,
        role: query.role,
        statuses: listedStatuses(query),
      });
      const page = toPage(rows, query.limit, (a) => a.id);
      const profiles = await repos.accounts.profiles(page.data);
      const data = profiles.map((a) => accountDto(a, metadataView(policy, caller, a)));
      return { status: 200, body: { data, pagination: page.pagination } };
    });
  },

  get: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    return uow.read(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const account = await repos.accounts.find(caller.tenantId, params.id);
      if (
        !account ||
        !policy.compiled.can(subjectOfCaller(caller), 'accounts.read', accountResource(account))
      ) {
        throw new AppError('not_found', 'No such account');
      }
      return { status: 200, body: await profileOf(repos, account.id, caller, policy) };
    });
  },

  /**
   * Public and private metadata, merged (`mergeMetadata`), each within its size limit. A change of public
   * metadata bumps the grant version: it may feed subject attributes, which tokens and cached principals
   * carry. Audited with the top-level fields changed, never their values (`*_fields`: the audit log drops
   * detail names that contain `key`).
   */
  update: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const dto = await uow.transaction(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const account = await targetAccount(repos, policy, caller, params.id, 'accounts.update');
      const changes: Partial<AccountMetadata> = {};
      if (body.public_metadata !== undefined) {
        changes.publicMetadata = mergeMetadata(account.metadata.publicMetadata, body.public_metadata);
        assertMetadataFits('public_metadata', changes.publicMetadata);
      }
      if (body.private_metadata !== undefined) {
        changes.privateMetadata = mergeMetadata(account.metadata.privateMetadata, body.private_metadata);
        assertMetadataFits('private_metadata', changes.privateMetadata);
      }
      await repos.accounts.update(account.id, { metadata: changes });
      if (changes.publicMetadata) await repos.accounts.bumpGrantVersion(account.id);
      repos.audit.record({
        action: 'account.metadata.updated',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
        details: {
          ...(body.public_metadata ? { public_fields: Object.keys(body.public_metadata) } : {}),
          ...(body.private_metadata ? { private_fields: Object.keys(body.private_metadata) } : {}),
        },
      });
      return profileOf(repos, account.id, caller, policy);
    });
    return { status: 200, body: dto };
  },

  setRole: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const dto = await uow.transaction(async (repos) => {
      const policy = await repos.policies.forTenant(caller.tenantId, { lock: true });
      const account = await targetAccount(repos, policy, caller, params.id, 'accounts.role.update');
      assertRoleWithinReach(policy, caller, body.role, 'The');
      if (account.roles.length === 1 && account.role === body.role)
        return profileOf(repos, account.id, caller, policy);
      await assertManagerRemains(repos, policy, account, { roles: [body.role], active: account.active });
      // "Replace all with one": the account holds `body.role` alone afterwards.
      await changeAccountRoles(repos, caller, ctx.client, account, [body.role], {
        action: 'account.role.changed',
        details: { from: account.role, to: body.role },
      });
      return profileOf(repos, account.id, caller, policy);
    });
    return { status: 200, body: dto };
  },

  addRole: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const dto = await uow.transaction(async (repos) => {
      const policy = await repos.policies.forTenant(caller.tenantId, { lock: true });
      const account = await targetAccount(repos, policy, caller, params.id, 'accounts.role.update');
      assertRoleWithinReach(policy, caller, body.role, 'The');
      if (account.roles.includes(body.role)) return profileOf(repos, account.id, caller, policy);
      assertRolesPerAccount(await tenantLimits(repos, caller.tenantId), account.roles.length);
      await changeAccountRoles(repos, caller, ctx.client, account, [...account.roles, body.role], {
        action: 'account.role.added',
        details: { role: body.role },
      });
      return profileOf(repos, account.id, caller, policy);
    });
    return { status: 200, body: dto };
  },

  removeRole: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    const dto = await uow.transaction(async (repos) => {
      const policy = await repos.policies.forTenant(caller.tenantId, { lock: true });
      const account = await targetAccount(repos, policy, caller, params.id, 'accounts.role.update');
      if (!account.roles.includes(params.role)) return profileOf(repos, account.id, caller, policy);
      const roles = account.roles.filter((r) => r !== params.role);
      if (roles.length === 0) {
        throw new AppError(
          'last_role',
          `"${params.role}" is this account's only role: an account always holds one (PUT /accounts/{id}/role replaces it)`,
        );
      }
      await assertManagerRemains(repos, policy, account, { roles, active: account.active });
      await changeAccountRoles(repos, caller, ctx.client, account, roles, {
        action: 'account.role.removed',
        details: { role: params.role },
      });
      return profileOf(repos, account.id, caller, policy);
    });
    return { status: 200, body: dto };
  },

  /** Kept for compatibility: `active` maps onto status `deactivated` and back (see `transitions`). */
  setActive: async ({ params, body }, ctx) => {
    const t = body.active ? transitions.activate : transitions.deactivate;
    return { status: 200, body: await changeStatus(uow, deps.clock, t, params.id, ctx) };
  },

  lock: async ({ params, body }, ctx) => {
    const until = body.until === undefined ? undefined : new Date(body.until);
    if (until && until <= deps.clock.now()) {
      throw new AppError('validation_failed', 'A lock ends in the future', {
        errors: [{ path: 'body.until', message: 'must be in the future' }],
      });
    }
    const input = { reason: body.reason, ...(until ? { until } : {}) };
    return {
      status: 200,
      body: await changeStatus(uow, deps.clock, transitions.lock, params.id, ctx, input),
    };
  },

  ban: async ({ params, body }, ctx) => ({
    status: 200,
    body: await changeStatus(uow, deps.clock, transitions.ban, params.id, ctx, { reason: body.reason }),
  }),

  unban: async ({ params }, ctx) => ({
    status: 200,
    body: await changeStatus(uow, deps.clock, transitions.unban, params.id, ctx),
  }),

  delete: async ({ params }, ctx) => ({
    status: 200,
    body: await changeStatus(uow, deps.clock, transitions.delete, params.id, ctx),
  }),

  restore: async ({ params }, ctx) => ({
    status: 200,
    body: await changeStatus(uow, deps.clock, transitions.restore, params.id, ctx),
  }),

  /**
   * Removes the person's authenticator and recovery codes and ends the account's sessions (audited with
   * the reason). Passkeys are sign-in methods, not second factors: they stay.
   */
  resetMfa: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const result = await uow.transaction(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const account = await targetAccount(repos, policy, caller, params.id, 'accounts.mfa.reset');
      assertNotSelf(caller, account, 'reset the second factor of');
      await assertFactorNotShared(repos, account);
      await repos.mfa.lock(account.personId);
      const removed = await repos.mfa.deleteFactors(account.personId);
      const ended = await repos.accountSessions.endAll(account.id, 'mfa_reset');
      repos.audit.record({
        action: 'account.mfa.reset',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
        details: {
          reason: body.reason,
          authenticator_removed: removed,
          ...endedSessionsDetails(ended, 'mfa_reset'),
        },
      });
      return { totp_removed: removed, sessions_ended: ended.length };
    });
    return { status: 200, body: result };
  },

  /** Idempotent; audited as `account.unlocked` with what was in force. */
  unlock: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    const body = await uow.transaction(async (repos) => {
      const policy = await repos.policies.forTenant(caller.tenantId, { lock: true });
      const account = await repos.accounts.find(caller.tenantId, params.id, { lock: true });
      if (!account) throw new AppError('not_found', 'No such account');
      requireAllowed(policy, caller, {
        action: 'accounts.unlock',
        readAction: 'accounts.read',
        resource: accountResource(account),
        what: 'account',
      });
      // An admin's lock (status `locked`) is lifted too, by someone who could have set it.
      const statusLockLifted = account.status === 'locked';
      if (statusLockLifted) {
        assertRolesWithinReach(policy, caller, account);
        await repos.accounts.update(account.id, {
          status: statusChange('active', { at: deps.clock.now(), by: statusActorOf(caller) }),
        });
        await repos.accounts.bumpGrantVersion(account.id);
      }
      const identifiers = signInIdentifiers(await repos.accounts.contacts(account.id));
      let wasLocked = false;
      let wasThrottled = false;
      for (const identifier of identifiers) {
        const lifted = await deps.throttle.unlock(caller.tenantId, identifier, repos);
        wasLocked ||= lifted.wasLocked;
        wasThrottled ||= lifted.wasThrottled;
      }
      repos.audit.record({
        action: 'account.unlocked',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
        details: {
          was_locked: wasLocked,
          was_throttled: wasThrottled,
          status_lock_lifted: statusLockLifted,
        },
      });
      return { was_locked: wasLocked, was_throttled: wasThrottled, status_lock_lifted: statusLockLifted };
    });
    return { status: 200, body };
  },
});
