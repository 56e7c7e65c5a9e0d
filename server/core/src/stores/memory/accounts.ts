import type { Account } from '@enforcer/contract';
import { accountDto } from '../../accounts/handlers.js';
import type {
  AccountFilter,
  AccountMetadata,
  AccountProfile,
  AccountRecord,
  AccountSessions,
  AccountStatusFields,
  AccountStore,
} from '../../accounts/ports.js';
import { newAccountStatus } from '../../accounts/status.js';
import { AppError } from '../../errors.js';
import { type PageRequest, pageInMemory, type VisibleRequest } from '../../pagination.js';
import type { AccountContext, AccountGrant, GrantReader } from '../../policy/ports.js';
import { accountResource } from '../../policy/resources.js';
import type { SessionRecord } from '../../sessions/ports.js';
import type { TenantMembers } from '../../tenants/ports.js';
import type { MemoryDatabase } from './database.js';
import { MemoryGroupStore } from './groups.js';
import { personByEmail, personRecord } from './persons.js';
import { MemoryPrivacyStore } from './privacy.js';
import { recordRevocationEvent } from './revocations.js';
import { MemorySessionStore } from './sessions.js';
import { tenantRecord } from './tenants.js';

/** An account row of the memory database (times in epoch milliseconds, as the mock's other rows). */
export interface MemoryAccountRow {
  id: string;
  personId: string;
  tenantId: string;
  /** Every role held, in grant order (the first is the primary `role`). */
  roles: string[];
  /** `status.status === 'active'`, kept with it (as PostgreSQL's `active` column). */
  active: boolean;
  status: AccountStatusFields;
  createdAt: number;
  /** Bumped by every change to what the account may do (role, groups, active, public metadata). */
  grantVersion: number;
  metadata: AccountMetadata;
}

/** A copy of the metadata objects (what the memory database keeps is never shared with callers). */
const copyMetadata = (m: AccountMetadata): AccountMetadata => ({
  publicMetadata: structuredClone(m.publicMetadata),
  privateMetadata: structuredClone(m.privateMetadata),
  userMetadata: structuredClone(m.userMetadata),
});

const accountRecord = (a: MemoryAccountRow): AccountRecord => ({
  id: a.id,
  tenantId: a.tenantId,
  personId: a.personId,
  role: a.roles[0]!,
  roles: [...a.roles],
  active: a.active,
  ...a.status,
  createdAt: new Date(a.createdAt),
  metadata: copyMetadata(a.metadata),
});

/** The tenant's accounts, oldest first, ties by id (PostgreSQL's page order). */
export function accountsOf(db: MemoryDatabase, tenantId: string): MemoryAccountRow[] {
  return [...db.tables.accounts.values()]
    .filter((a) => a.tenantId === tenantId)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The person's account in the tenant, if any. */
export function accountOfPerson(
  db: MemoryDatabase,
  personId: string,
  tenantId: string,
): MemoryAccountRow | undefined {
  for (const account of db.tables.accounts.values()) {
    if (account.personId === personId && account.tenantId === tenantId) return account;
  }
  return undefined;
}

/** A new, active account at grant version 1 (one per person and tenant, as PostgreSQL's unique index). */
export function insertAccount(
  db: MemoryDatabase,
  input: { personId: string; tenantId: string; role: string; roles?: readonly string[] | undefined },
): MemoryAccountRow {
  if (accountOfPerson(db, input.personId, input.tenantId)) {
    throw new Error(`person ${input.personId} already has an account in tenant ${input.tenantId}`);
  }
  const account: MemoryAccountRow = {
    id: crypto.randomUUID(),
    personId: input.personId,
    tenantId: input.tenantId,
    roles: input.roles && input.roles.length > 0 ? [...new Set(input.roles)] : [input.role],
    active: true,
    status: { ...newAccountStatus },
    createdAt: db.now().getTime(),
    grantVersion: 1,
    metadata: { publicMetadata: {}, privateMetadata: {}, userMetadata: {} },
  };
  db.tables.accounts.set(account.id, account);
  return account;
}

/** Sets the row's status fields and its `active` flag with them. */
export function setRowStatus(account: MemoryAccountRow, status: AccountStatusFields): void {
  account.status = { ...status };
  account.active = status.status === 'active';
}

/** Names of the account's groups, sorted (as in tokens). */
export function groupNamesOf(db: MemoryDatabase, accountId: string): string[] {
  return [...db.tables.groups.values()]
    .filter((g) => g.members.has(accountId))
    .map((g) => g.name)
    .sort();
}

/** Marks a change to what the account may do, as the server's `bumpGrantVersion` (and its trigger). */
export function bumpGrant(db: MemoryDatabase, account: MemoryAccountRow): void {
  account.grantVersion += 1;
  recordRevocationEvent(db, { tenantId: account.tenantId, kind: 'account_changed', accountId: account.id });
}

/** The account as the API shows it (`accountDto`): with its person's email and its groups. */
export const accountProfileOf = (db: MemoryDatabase, account: MemoryAccountRow): AccountProfile => ({
  ...accountRecord(account),
  email: db.tables.persons.get(account.personId)?.email ?? null,
  groups: groupNamesOf(db, account.id),
});

/** Accounts in the memory database's `accounts` table (locks: units of work already run one at a time). */
export class MemoryAccountStore implements AccountStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async find(tenantId: string, accountId: string): Promise<AccountRecord | null> {
    const account = this.#db.tables.accounts.get(accountId);
    return account && account.tenantId === tenantId ? accountRecord(account) : null;
  }

  async findOfPerson(personId: string, tenantId: string): Promise<AccountRecord | null> {
    const account = accountOfPerson(this.#db, personId, tenantId);
    return account ? accountRecord(account) : null;
  }

  async create(input: {
    personId: string;
    tenantId: string;
    role: string;
    roles?: readonly string[];
  }): Promise<AccountRecord> {
    return accountRecord(insertAccount(this.#db, input));
  }

  async list(tenantId: string, request: VisibleRequest & AccountFilter): Promise<AccountRecord[]> {
    const email = (a: AccountRecord) => this.#db.tables.persons.get(a.personId)?.email;
    return pageInMemory(
      accountsOf(this.#db, tenantId)
        .map(accountRecord)
        .filter(
          (a) =>
            (request.email === undefined || email(a) === request.email) &&
            (request.role === undefined || a.roles.includes(request.role)) &&
            (request.statuses === undefined || request.statuses.includes(a.status)),
        ),
      request,
      (a) => accountResource(a).attributes,
    );
  }

  async ofPerson(personId: string, request: PageRequest): Promise<AccountRecord[]> {
    return pageInMemory(
      [...this.#db.tables.accounts.values()].filter((a) => a.personId === personId).map(accountRecord),
      request,
      () => ({}),
    );
  }

  async profiles(accountIds: string[]): Promise<AccountProfile[]> {
    return accountIds.flatMap((id) => {
      const account = this.#db.tables.accounts.get(id);
      return account ? [accountProfileOf(this.#db, account)] : [];
    });
  }

  async countActive(tenantId: string, roles: string[], exceptId: string): Promise<number> {
    return accountsOf(this.#db, tenantId).filter(
      (a) => a.id !== exceptId && a.active && a.roles.some((r) => roles.includes(r)),
    ).length;
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
    const account = this.#db.tables.accounts.get(accountId);
    if (!account) throw new AppError('not_found', 'No such account');
    if (changes.role !== undefined) account.roles = [changes.role];
    if (changes.roles !== undefined) account.roles = [...changes.roles];
    if (changes.status !== undefined) setRowStatus(account, changes.status);
    if (changes.metadata !== undefined) {
      // Stored as PostgreSQL's jsonb would: a copy, through JSON.
      for (const [field, value] of Object.entries(changes.metadata)) {
        if (value !== undefined)
          account.metadata[field as keyof AccountMetadata] = JSON.parse(JSON.stringify(value));
      }
    }
  }

  async bumpGrantVersion(accountId: string): Promise<void> {
    const account = this.#db.tables.accounts.get(accountId);
    if (account) bumpGrant(this.#db, account);
  }

  async contacts(accountId: string): Promise<{ personId: string; email: string | null; phones: string[] }> {
    const account = this.#db.tables.accounts.get(accountId);
    if (!account) throw new AppError('not_found', 'No such account');
    const phones = [...this.#db.tables.identities.values()]
      .filter((i) => i.personId === account.personId && i.provider === 'phone_otp')
      .map((i) => i.subject);
    return {
      personId: account.personId,
      email: this.#db.tables.persons.get(account.personId)?.email ?? null,
      phones,
    };
  }
}

/** Ending an account's sessions, in the memory database's session store. */
export class MemoryAccountSessions implements AccountSessions {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async endAll(accountId: string, reason: string): Promise<string[]> {
    const live = [...this.#db.sessions.sessions.values()].filter(
      (s) => s.accountId === accountId && !s.revokedAt,
    );
    for (const session of live) this.#db.sessions.revoke(session.id, reason, this.#db.now());
    return live.map((session) => session.id);
  }

  async endActedBy(actorAccountId: string, reason: string): Promise<number> {
    const live = [...this.#db.sessions.sessions.values()].filter(
      (s) => s.actorAccountId === actorAccountId && !s.revokedAt,
    );
    for (const session of live) this.#db.sessions.revoke(session.id, reason, this.#db.now());
    return live.length;
  }

  async endAllOfPerson(personId: string, reason: string, except?: string): Promise<number> {
    const live = [...this.#db.sessions.sessions.values()].filter(
      (s) => s.personId === personId && !s.revokedAt && s.id !== except,
    );
    for (const session of live) this.#db.sessions.revoke(session.id, reason, this.#db.now());
    return live.length;
  }
}

/** Accounts' grants, read from the `accounts` and `groups` tables (and `apiKeys` for the roles held). */
export class MemoryGrantReader implements GrantReader {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async find(accountId: string): Promise<AccountGrant | null> {
    const account = this.#db.tables.accounts.get(accountId);
    if (!account) return null;
    return {
      accountId: account.id,
      personId: account.personId,
      tenantId: account.tenantId,
      active: account.active,
      roles: [...account.roles],
      groups: groupNamesOf(this.#db, account.id),
      grantVersion: account.grantVersion,
      publicMetadata: structuredClone(account.metadata.publicMetadata),
    };
  }

  async findContext(accountId: string): Promise<AccountContext | null> {
    const grant = await this.find(accountId);
    const account = this.#db.tables.accounts.get(accountId);
    const person = account && this.#db.tables.persons.get(account.personId);
    const tenant = account && this.#db.tables.tenants.get(account.tenantId);
    if (!grant || !account || !person || !tenant) return null;
    return {
      grant,
      account: accountRecord(account),
      person: personRecord(person),
      tenant: tenantRecord(tenant),
      policyVersion: tenant.policyVersion,
      pendingDeletion: await new MemoryPrivacyStore(this.#db).pendingOf(person.id),
    };
  }

  async findByRefreshToken(
    tokenHash: string,
  ): Promise<{ session: SessionRecord; context: AccountContext | null } | null> {
    const session = await new MemorySessionStore(this.#db).findSessionByTokenHash(tokenHash);
    return session && { session, context: await this.findContext(session.accountId) };
  }

  async rolesHeld(tenantId: string): Promise<{ byActiveAccounts: string[]; byAnyone: string[] }> {
    const accounts = accountsOf(this.#db, tenantId);
    const keys = [...this.#db.tables.apiKeys.values()].filter(
      (k) => k.tenantId === tenantId && k.revokedAt === null,
    );
    return {
      byActiveAccounts: [...new Set(accounts.filter((a) => a.active).flatMap((a) => a.roles))],
      byAnyone: [...new Set([...accounts.flatMap((a) => a.roles), ...keys.map((k) => k.role)])],
    };
  }
}

/** What the tenant rules need of accounts and groups, over the memory database's tables. */
export class MemoryTenantMembers implements TenantMembers {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async addBuiltInGroup(tenantId: string, group: { name: string; description: string }): Promise<void> {
    await new MemoryGroupStore(this.#db).insert({ tenantId, ...group, permissions: [], builtIn: true });
  }

  async addAccount(tenantId: string, personId: string, role: string): Promise<Account> {
    return accountDto(accountProfileOf(this.#db, insertAccount(this.#db, { personId, tenantId, role })));
  }

  async hasAccount(tenantId: string, email: string): Promise<boolean> {
    const person = personByEmail(this.#db, email);
    return person !== undefined && accountOfPerson(this.#db, person.id, tenantId) !== undefined;
  }
}
