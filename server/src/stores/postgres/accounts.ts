import type { AccountStatus } from '@enforcer/contract';
import type {
  AccountFilter,
  AccountMetadata,
  AccountProfile,
  AccountRecord,
  AccountSessions,
  AccountStatusFields,
  AccountStore,
  PageRequest,
  VisibleRequest,
} from '@enforcer/core';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { accountFields } from '../../domains/policy/resources.js';
import { planFilter } from '../../domains/policy/visible.js';
import { bumpGrantVersion } from '../../domains/tokens/load-grant.js';
import { Account, type IAccount, Person } from '../../entities/accounts.js';
import { GroupMembership } from '../../entities/groups.js';
import { PersonIdentity } from '../../entities/identities.js';
import { Session } from '../../entities/sessions.js';
import { Tenant } from '../../entities/tenants.js';
import type { Clock } from '../../lib/clock.js';
import { afterPosition, pageOrder } from '../../lib/pagination.js';
import { PostgresSessionStore } from './sessions.js';

export const accountRecord = (a: IAccount): AccountRecord => ({
  id: a.id,
  tenantId: a.tenant.id,
  personId: a.person.id,
  role: a.roles[0]!,
  roles: [...a.roles],
  active: a.active,
  status: a.status as AccountStatus,
  statusReason: a.statusReason ?? null,
  statusChangedAt: a.statusChangedAt ?? null,
  statusChangedBy: a.statusChangedBy ?? null,
  lockedUntil: a.lockedUntil ?? null,
  createdAt: a.createdAt,
  metadata: {
    publicMetadata: structuredClone(a.publicMetadata ?? {}),
    privateMetadata: structuredClone(a.privateMetadata ?? {}),
    userMetadata: structuredClone(a.userMetadata ?? {}),
  },
});

/** An account's `roles` (no duplicates, grant order) and its primary `role` with them. */
const withRoles = (roles: readonly string[]) => {
  const unique = [...new Set(roles)];
  return { roles: unique, role: unique[0]! };
};

/** Accounts, in the unit's transaction (locks are `FOR UPDATE` on the account row). */
export class PostgresAccountStore implements AccountStore {
  readonly #em: EntityManager;
  readonly #clock: Clock;

  constructor(em: EntityManager, clock: Clock) {
    this.#em = em;
    this.#clock = clock;
  }

  async find(tenantId: string, accountId: string, options: { lock?: boolean } = {}) {
    const account = await this.#em.findOne(
      Account,
      { id: accountId, tenant: tenantId },
      options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
    return account ? accountRecord(account) : null;
  }

  async findOfPerson(personId: string, tenantId: string) {
    const account = await this.#em.findOne(Account, { person: personId, tenant: tenantId });
    return account ? accountRecord(account) : null;
  }

  async create(input: {
    personId: string;
    tenantId: string;
    role: string;
    roles?: readonly string[];
  }): Promise<AccountRecord> {
    const now = this.#clock.now();
    const account = this.#em.create(Account, {
      person: this.#em.getReference(Person, input.personId),
      tenant: this.#em.getReference(Tenant, input.tenantId),
      ...withRoles(input.roles && input.roles.length > 0 ? input.roles : [input.role]),
      active: true,
      grantVersion: 1,
      createdAt: now,
      updatedAt: now,
    });
    await this.#em.flush();
    return accountRecord(account);
  }

  async list(tenantId: string, request: VisibleRequest & AccountFilter): Promise<AccountRecord[]> {
    const filters: Record<string, unknown>[] = [
      { tenant: tenantId },
      planFilter(request.visible, accountFields),
    ];
    if (request.email !== undefined) filters.push({ person: { email: request.email } });
    if (request.role !== undefined) filters.push({ roles: { $contains: [request.role] } });
    if (request.statuses !== undefined) filters.push({ status: { $in: [...request.statuses] } });
    filters.push(afterPosition(request.after));
    const rows = await this.#em.find(
      Account,
      { $and: filters },
      { orderBy: pageOrder, limit: request.limit },
    );
    return rows.map(accountRecord);
  }

  async ofPerson(personId: string, request: PageRequest): Promise<AccountRecord[]> {
    const rows = await this.#em.find(
      Account,
      { $and: [{ person: personId }, afterPosition(request.after)] },
      { orderBy: pageOrder, limit: request.limit },
    );
    return rows.map(accountRecord);
  }

  /** One query for the accounts with their persons, one for their groups. */
  async profiles(accountIds: string[]): Promise<AccountProfile[]> {
    if (accountIds.length === 0) return [];
    const accounts = await this.#em.find(Account, { id: { $in: accountIds } }, { populate: ['person'] });
    const memberships = await this.#em.find(
      GroupMembership,
      { account: { $in: accountIds } },
      { populate: ['group'] },
    );
    const groups = new Map<string, string[]>();
    for (const m of memberships)
      groups.set(m.account.id, [...(groups.get(m.account.id) ?? []), m.group.name]);
    const byId = new Map(accounts.map((a) => [a.id, a]));
    return accountIds.flatMap((id) => {
      const a = byId.get(id);
      if (!a) return [];
      return [{ ...accountRecord(a), email: a.person.email ?? null, groups: (groups.get(id) ?? []).sort() }];
    });
  }

  countActive(tenantId: string, roles: string[], exceptId: string): Promise<number> {
    return this.#em.count(Account, {
      tenant: tenantId,
      id: { $ne: exceptId },
      active: true,
      roles: { $overlap: roles },
    });
  }

  async update(
    accountId: string,
    changes: {
      role?: string;
      roles?: readonly string[];
      status?: AccountStatusFields;
      metadata?: Partial<AccountMetadata>;
    },
  ): Promise<void> {
    const account = await this.#em.findOneOrFail(Account, accountId);
    const metadata = changes.metadata ?? {};
    if (metadata.publicMetadata !== undefined) account.publicMetadata = { ...metadata.publicMetadata };
    if (metadata.privateMetadata !== undefined) account.privateMetadata = { ...metadata.privateMetadata };
    if (metadata.userMetadata !== undefined) account.userMetadata = { ...metadata.userMetadata };
    if (changes.role !== undefined) Object.assign(account, withRoles([changes.role]));
    if (changes.roles !== undefined) Object.assign(account, withRoles(changes.roles));
    if (changes.status !== undefined) {
      const { status, statusReason, statusChangedAt, statusChangedBy, lockedUntil } = changes.status;
      Object.assign(account, { status, statusReason, statusChangedAt, statusChangedBy, lockedUntil });
      account.active = status === 'active';
    }
    await this.#em.flush();
  }

  async bumpGrantVersion(accountId: string): Promise<void> {
    bumpGrantVersion(await this.#em.findOneOrFail(Account, accountId));
    await this.#em.flush();
  }

  async contacts(accountId: string) {
    const account = await this.#em.findOneOrFail(Account, accountId, { populate: ['person'] });
    const phones = await this.#em.find(PersonIdentity, { person: account.person.id, provider: 'phone_otp' });
    return {
      personId: account.person.id,
      email: account.person.email ?? null,
      phones: phones.map((p) => p.subject),
    };
  }
}

/** Ending an account's sessions through the session store, in the unit's transaction. */
export class PostgresAccountSessions implements AccountSessions {
  readonly #em: EntityManager;
  readonly #clock: Clock;

  constructor(em: EntityManager, clock: Clock) {
    this.#em = em;
    this.#clock = clock;
  }

  async endAll(accountId: string, reason: string): Promise<string[]> {
    const sessions = await this.#em.find(
      Session,
      { account: accountId, revokedAt: null },
      { fields: ['id'] },
    );
    const store = new PostgresSessionStore({ tx: this.#em });
    const ended: string[] = [];
    for (const s of sessions) {
      if (await store.revokeSession(s.id, reason, this.#clock.now())) ended.push(s.id);
    }
    return ended;
  }

  async endActedBy(actorAccountId: string, reason: string): Promise<number> {
    const sessions = await this.#em.find(
      Session,
      { actorAccount: actorAccountId, revokedAt: null },
      { fields: ['id'] },
    );
    const store = new PostgresSessionStore({ tx: this.#em });
    for (const s of sessions) await store.revokeSession(s.id, reason, this.#clock.now());
    return sessions.length;
  }

  async endAllOfPerson(personId: string, reason: string, except?: string): Promise<number> {
    return this.#em.nativeUpdate(
      Session,
      { person: personId, revokedAt: null, ...(except ? { id: { $ne: except } } : {}) },
      { revokedAt: this.#clock.now(), revokeReason: reason },
    );
  }
}
