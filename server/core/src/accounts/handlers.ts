import { type Account, type AccountStatus, type contract, uncoveredPatterns } from '@enforcer/contract';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import { auditActorOf, type Caller, type ClientInfo, subjectOfCaller } from '../caller.js';
import { AppError } from '../errors.js';
import { pageRequest, toPage } from '../pagination.js';
import type { Clock } from '../platform.js';
import {
  assertRoleWithinReach,
  callerPermissions,
  managerRoles,
  requireAllowed,
  rolePermissions,
} from '../policy/grants.js';
import { callerPolicy } from '../policy/handlers.js';
import { accountResource } from '../policy/resources.js';
import type { TenantPolicy } from '../policy/tenant-policy.js';
import { accountSessionsHandlers } from '../sessions/handlers.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { personIdentifier, phoneIdentifier } from '../throttle/rules.js';
import type { SignInThrottle } from '../throttle/sign-in-throttle.js';
import { assertMetadataFits, type MetadataView, mergeMetadata, metadataFields } from './metadata.js';
import type { AccountMetadata, AccountProfile, AccountRecord, StatusActor } from './ports.js';
import { listedStatuses, statusChange } from './status.js';

/** An account answer; `metadata` says which metadata objects it shows (none unless told). */
export const accountDto = (a: AccountProfile, metadata: MetadataView = 'none'): Account => ({
  id: a.id,
  person_id: a.personId,
  tenant_id: a.tenantId,
  email: a.email,
  role: a.role,
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
 * Gives an account another role, in the caller's unit of work: its grant version is bumped (tokens minted
 * before and the revocation feed learn of it) and the change is audited as `account.role.changed`.
 */
export async function changeAccountRole(
  repos: Repositories,
  caller: Caller,
  client: Partial<ClientInfo>,
  accountId: string,
  change: { from: string; to: string; via?: string },
): Promise<void> {
  await repos.accounts.update(accountId, { role: change.to });
  await repos.accounts.bumpGrantVersion(accountId);
  repos.audit.record({
    action: 'account.role.changed',
    actor: auditActorOf(caller),
    tenantId: caller.tenantId,
    target: { type: 'account', id: accountId },
    ...client,
    details: change,
  });
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
  const granted = rolePermissions(policy, account.role);
  const held = callerPermissions(policy, caller);
  return !granted || uncoveredPatterns(held, granted).length === 0 ? 'all' : 'readable';
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
  if (rolePermissions(policy, account.role)) {
    assertRoleWithinReach(policy, caller, account.role, "This account's");
  }
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
  after: { role: string; active: boolean },
): Promise<void> {
  const managers = managerRoles(policy.compiled, account.tenantId);
  const isManager = account.active && managers.includes(account.role);
  const staysManager = after.active && managers.includes(after.role);
  if (!isManager || staysManager) return;
  if ((await repos.accounts.countActive(account.tenantId, managers, account.id)) === 0) {
    throw new AppError(
      'last_admin',
      'This is the last active account that can manage the tenant: promote another one first',
    );
  }
}

/** Who changes a status, as the account keeps it. */
const statusActorOf = (caller: Caller): StatusActor =>
  caller.kind === 'user'
    ? { type: 'account', id: caller.accountId }
    : { type: 'api_key', id: caller.apiKeyId };

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
    await assertManagerRemains(repos, policy, account, { role: account.role, active: t.to === 'active' });
    const now = clock.now();
    const by = statusActorOf(caller);
    await repos.accounts.update(account.id, {
      status: statusChange(t.to, { at: now, by, reason: input.reason, lockedUntil: input.until }),
    });
    await repos.accounts.bumpGrantVersion(account.id);
    // Leaving `active` ends every session now: no refresh, and the HTTP layer refuses its access tokens.
    const ended = t.to === 'active' ? 0 : await repos.accountSessions.endAll(account.id, `account_${t.to}`);
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
        ...(t.to === 'active' ? {} : { sessions_ended: ended }),
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
 * when an account's sessions are ended (`sessions/handlers.ts`).
 */
export const accountsHandlers = (
  uow: UnitOfWork,
  deps: { throttle: Pick<SignInThrottle, 'unlock'>; clock: Clock },
): Handlers<typeof contract.accounts> => ({
  ...accountSessionsHandlers({ uow, clock: deps.clock }),

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
      if (account.role === body.role) return profileOf(repos, account.id, caller, policy);
      await assertManagerRemains(repos, policy, account, { role: body.role, active: account.active });
      await changeAccountRole(repos, caller, ctx.client, account.id, { from: account.role, to: body.role });
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
        details: { reason: body.reason, authenticator_removed: removed, sessions_ended: ended },
      });
      return { totp_removed: removed, sessions_ended: ended };
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
        if (rolePermissions(policy, account.role)) {
          assertRoleWithinReach(policy, caller, account.role, "This account's");
        }
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
