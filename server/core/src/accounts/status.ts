import { type AccountStatus, accountStatuses } from '@enforcer/contract';
import type { ClientInfo } from '../caller.js';
import { AppError } from '../errors.js';
import type { AccountGrant } from '../policy/ports.js';
import type { Repositories } from '../store.js';
import type { AccountRecord, AccountStatusFields, StatusActor } from './ports.js';

/**
 * An account's status, once for every path that lets an account in: sign-in (every method, and the end of
 * a second-factor sign-in), switching tenants, a Privy bearer, opening a session, refresh and step-up. Only
 * `active` gets in; each other status has its own code, so a client can tell the person what happened.
 */
export function statusRefusal(account: { status: AccountStatus }): AppError | null {
  switch (account.status) {
    case 'active':
      return null;
    case 'locked':
      return new AppError('account_locked', 'This account is locked');
    case 'banned':
      return new AppError('account_banned', 'This account is banned');
    case 'deleted':
      return new AppError('account_deleted', 'This account has been deleted');
    case 'deactivated':
      return new AppError('account_inactive', 'This account has been deactivated');
  }
}

/**
 * `statusRefusal` for the account of a grant, its status read now (a grant carries only `active`); an
 * account that is gone is `account_inactive`. Opening a session, refresh and step-up.
 */
export async function grantRefusal(
  repos: Pick<Repositories, 'accounts'>,
  grant: Pick<AccountGrant, 'accountId' | 'tenantId'> | null,
): Promise<AppError | null> {
  const account = grant && (await repos.accounts.find(grant.tenantId, grant.accountId));
  return account ? statusRefusal(account) : new AppError('account_inactive', 'This account is gone');
}

/** The status fields of a change to `status` now, by `by` (null: the account's own sign-in). */
export const statusChange = (
  status: AccountStatus,
  change: { at: Date; by: StatusActor | null; reason?: string | null; lockedUntil?: Date | null },
): AccountStatusFields => ({
  status,
  statusReason: change.reason ?? null,
  statusChangedAt: change.at,
  statusChangedBy: change.by,
  lockedUntil: status === 'locked' ? (change.lockedUntil ?? null) : null,
});

/** The status fields of a new account (and of every account before statuses existed). */
export const newAccountStatus: AccountStatusFields = {
  status: 'active',
  statusReason: null,
  statusChangedAt: null,
  statusChangedBy: null,
  lockedUntil: null,
};

/**
 * Lets an account in at sign-in (login by any method, tenant switch), in the caller's unit of work: a lock
 * with `until` lapses by itself at that time, and the first such sign-in after it lifts it (status
 * `active`, grant version bumped, audited `account.lock.expired`); then `statusRefusal`. Nothing else lifts
 * a lapsed lock (a Privy bearer, refresh and step-up only read the status): an admin's list still shows
 * `locked` with its past `locked_until` until then (no session of the account can exist meanwhile: locking
 * ended them).
 */
export async function admitAccount(
  repos: Repositories,
  account: AccountRecord,
  now: Date,
  client: Partial<ClientInfo> = {},
): Promise<{ account: AccountRecord; refusal: AppError | null }> {
  if (account.status === 'locked' && account.lockedUntil && account.lockedUntil <= now) {
    const fields = statusChange('active', { at: now, by: null });
    await repos.accounts.update(account.id, { status: fields });
    await repos.accounts.bumpGrantVersion(account.id);
    repos.audit.record({
      action: 'account.lock.expired',
      actor: { type: 'account', id: account.id },
      tenantId: account.tenantId,
      target: { type: 'account', id: account.id },
      ...client,
      details: { locked_until: account.lockedUntil.toISOString(), reason: account.statusReason },
    });
    return { account: { ...account, ...fields, active: true }, refusal: null };
  }
  return { account, refusal: statusRefusal(account) };
}

/**
 * The statuses `GET /accounts` lists: `status` when given, narrowed by `active` (true: `active` only;
 * false: every other status), without `deleted` unless asked for (`include=deleted` or `status=deleted`).
 * Undefined: any status.
 */
export function listedStatuses(query: {
  status?: AccountStatus | undefined;
  active?: boolean | undefined;
  include?: 'deleted' | undefined;
}): AccountStatus[] | undefined {
  let statuses: AccountStatus[] = query.status ? [query.status] : [...accountStatuses];
  if (query.active !== undefined) statuses = statuses.filter((s) => (s === 'active') === query.active);
  if (!query.status && query.include !== 'deleted') statuses = statuses.filter((s) => s !== 'deleted');
  return statuses.length === accountStatuses.length ? undefined : statuses;
}
