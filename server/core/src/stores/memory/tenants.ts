import type { AuthProvider, TenantStatus } from '@enforcer/contract';
import type { PolicyDocument } from '@enforcer/contract/policy';
import { AppError } from '../../errors.js';
import { type PageRequest, pageInMemory } from '../../pagination.js';
import {
  type InviteChanges,
  type InviteRecord,
  type InviteStatus,
  type InviteStore,
  inviteStatus,
  type NewInvite,
  type NewTenant,
  type TenantChanges,
  type TenantListRequest,
  type TenantRecord,
  type TenantStore,
} from '../../tenants/ports.js';
import type { MemoryDatabase } from './database.js';

/** A tenant row of the memory database (times in epoch milliseconds, as the mock's other rows). */
export interface MemoryTenantRow {
  id: string;
  code: string;
  name: string;
  logoUrl: string | null;
  theme: Record<string, string>;
  authProviders: AuthProvider[];
  allowSignup: boolean;
  authSettings: Record<string, unknown>;
  /** Absent: every default. */
  limits?: Record<string, unknown>;
  /** Absent: none. */
  allowedOrigins?: string[];
  /** Absent: `active`. */
  status?: TenantStatus;
  statusReason?: string | null;
  statusChangedAt?: number | null;
  deletionDueAt?: number | null;
  createdAt: number;
  policy: PolicyDocument;
  policyUpdatedAt: number;
  /** Bumped whenever the stored policy or a group changes (the effective policy is recompiled). */
  policyVersion: number;
}

/** An invite row of the memory database. */
export interface MemoryInviteRow {
  id: string;
  tenantId: string;
  email: string | null;
  phone: string | null;
  role: string;
  roles: string[];
  groups: string[];
  provisioned: boolean;
  codeHash: string;
  createdBy: string | null;
  expiresAt: number;
  acceptedAt: number | null;
  /** The account the invite made (set by `accept`). */
  acceptedBy?: string | null;
  createdAt: number;
  revokedAt: number | null;
  sentAt: number | null;
}

/** A tenant row as the core's rules read it. */
export const tenantRecord = (row: MemoryTenantRow): TenantRecord => ({
  id: row.id,
  code: row.code,
  name: row.name,
  logoUrl: row.logoUrl,
  theme: { ...row.theme },
  authProviders: [...row.authProviders],
  allowSignup: row.allowSignup,
  authSettings: structuredClone(row.authSettings),
  limits: { ...row.limits },
  allowedOrigins: [...(row.allowedOrigins ?? [])],
  status: row.status ?? 'active',
  statusReason: row.statusReason ?? null,
  statusChangedAt: row.statusChangedAt == null ? null : new Date(row.statusChangedAt),
  deletionDueAt: row.deletionDueAt == null ? null : new Date(row.deletionDueAt),
  createdAt: new Date(row.createdAt),
});

/** A new tenant row (`409 conflict` for a code taken), at once: `MemoryTenantStore.create` and seeding. */
export function insertTenant(db: MemoryDatabase, tenant: NewTenant): MemoryTenantRow {
  for (const row of db.tables.tenants.values()) {
    if (row.code === tenant.code) throw new AppError('conflict', 'This tenant code is taken');
  }
  const now = db.now().getTime();
  const row: MemoryTenantRow = {
    id: crypto.randomUUID(),
    code: tenant.code,
    name: tenant.name,
    logoUrl: tenant.logoUrl,
    theme: { ...tenant.theme },
    authProviders: [...tenant.authProviders] as AuthProvider[],
    allowSignup: tenant.allowSignup,
    authSettings: {},
    limits: {},
    createdAt: now,
    policy: structuredClone(tenant.policy),
    policyUpdatedAt: now,
    policyVersion: 1,
  };
  db.tables.tenants.set(row.id, row);
  return row;
}

/** Tenants in the memory database's `tenants` table (locks: units of work already run one at a time). */
export class MemoryTenantStore implements TenantStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async find(id: string): Promise<TenantRecord | null> {
    const row = this.#db.tables.tenants.get(id);
    return row ? tenantRecord(row) : null;
  }

  async findByCode(code: string): Promise<TenantRecord | null> {
    for (const row of this.#db.tables.tenants.values()) if (row.code === code) return tenantRecord(row);
    return null;
  }

  async findByPrivyAppId(appId: string, limit: number): Promise<TenantRecord[]> {
    const found: TenantRecord[] = [];
    for (const row of this.#db.tables.tenants.values()) {
      if (found.length === limit) break;
      const privy = row.authSettings.privy as { app_id?: unknown } | null | undefined;
      if (privy?.app_id === appId) found.push(tenantRecord(row));
    }
    return found;
  }

  async create(tenant: NewTenant): Promise<TenantRecord> {
    return tenantRecord(insertTenant(this.#db, tenant));
  }

  async list(request: TenantListRequest): Promise<TenantRecord[]> {
    const q = request.q?.toLowerCase();
    const rows = [...this.#db.tables.tenants.values()].filter(
      (row) =>
        (request.status === undefined || (row.status ?? 'active') === request.status) &&
        (q === undefined || row.name.toLowerCase().includes(q) || row.code.toLowerCase() === q),
    );
    return pageInMemory(
      rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt) })),
      request,
      () => ({}),
    ).map((row) => tenantRecord({ ...row, createdAt: row.createdAt.getTime() }));
  }

  async dueForDeletion(now: Date, limit: number): Promise<TenantRecord[]> {
    return [...this.#db.tables.tenants.values()]
      .filter(
        (row) =>
          row.status === 'pending_deletion' &&
          row.deletionDueAt != null &&
          row.deletionDueAt <= now.getTime(),
      )
      .sort((a, b) => (a.deletionDueAt ?? 0) - (b.deletionDueAt ?? 0))
      .slice(0, limit)
      .map(tenantRecord);
  }

  async erase(id: string): Promise<{ persons: number }> {
    return eraseTenant(this.#db, id);
  }

  async update(id: string, changes: TenantChanges): Promise<TenantRecord> {
    const row = this.#db.tables.tenants.get(id);
    if (!row) throw new AppError('not_found', 'No such tenant');
    if (changes.name !== undefined) row.name = changes.name;
    if (changes.logoUrl !== undefined) row.logoUrl = changes.logoUrl;
    if (changes.theme !== undefined) row.theme = { ...changes.theme };
    if (changes.authProviders !== undefined) row.authProviders = [...changes.authProviders] as AuthProvider[];
    if (changes.allowSignup !== undefined) row.allowSignup = changes.allowSignup;
    if (changes.authSettings !== undefined) row.authSettings = structuredClone(changes.authSettings);
    if (changes.limits !== undefined) row.limits = { ...changes.limits };
    if (changes.status !== undefined) row.status = changes.status;
    if (changes.statusReason !== undefined) row.statusReason = changes.statusReason;
    if (changes.statusChangedAt !== undefined)
      row.statusChangedAt = changes.statusChangedAt?.getTime() ?? null;
    if (changes.deletionDueAt !== undefined) row.deletionDueAt = changes.deletionDueAt?.getTime() ?? null;
    if (changes.allowedOrigins !== undefined) row.allowedOrigins = [...changes.allowedOrigins];
    return tenantRecord(row);
  }
}

const time = (ms: number | null) => (ms === null ? null : new Date(ms));
export const inviteRecord = ({ acceptedBy: _acceptedBy, ...row }: MemoryInviteRow): InviteRecord => ({
  ...row,
  roles: [...row.roles],
  groups: [...row.groups],
  expiresAt: new Date(row.expiresAt),
  acceptedAt: time(row.acceptedAt),
  createdAt: new Date(row.createdAt),
  revokedAt: time(row.revokedAt),
  sentAt: time(row.sentAt),
});

/** Invites in the memory database's `invites` table. */
export class MemoryInviteStore implements InviteStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async hasPending(tenantId: string, email: string, now: Date): Promise<boolean> {
    for (const row of this.#db.tables.invites.values()) {
      if (
        row.tenantId === tenantId &&
        row.email === email &&
        inviteStatus(inviteRecord(row), now) === 'pending'
      )
        return true;
    }
    return false;
  }

  async create(invite: NewInvite): Promise<void> {
    this.#db.tables.invites.set(invite.id, {
      ...invite,
      role: invite.roles[0] ?? invite.role,
      roles: [...invite.roles],
      groups: [...invite.groups],
      expiresAt: invite.expiresAt.getTime(),
      acceptedAt: invite.acceptedAt === null ? null : invite.acceptedAt.getTime(),
      createdAt: this.#db.now().getTime(),
      revokedAt: null,
      sentAt: null,
    });
  }

  async find(tenantId: string, id: string): Promise<InviteRecord | null> {
    const row = this.#db.tables.invites.get(id);
    return row && row.tenantId === tenantId ? inviteRecord(row) : null;
  }

  async list(
    tenantId: string,
    request: PageRequest & { status?: InviteStatus; now: Date },
  ): Promise<InviteRecord[]> {
    const rows = [...this.#db.tables.invites.values()]
      .filter((row) => row.tenantId === tenantId)
      .map(inviteRecord)
      .filter((invite) => !request.status || inviteStatus(invite, request.now) === request.status);
    return pageInMemory(rows, request, () => ({}));
  }

  async update(id: string, changes: InviteChanges): Promise<void> {
    const row = this.#db.tables.invites.get(id);
    if (!row) return;
    if (changes.codeHash !== undefined) row.codeHash = changes.codeHash;
    if (changes.expiresAt !== undefined) row.expiresAt = changes.expiresAt.getTime();
    if (changes.revokedAt !== undefined) row.revokedAt = changes.revokedAt?.getTime() ?? null;
    if (changes.sentAt !== undefined) row.sentAt = changes.sentAt?.getTime() ?? null;
    if (changes.roles !== undefined) {
      row.roles = [...changes.roles];
      row.role = changes.roles[0] ?? row.role;
    }
  }

  async pendingProvisioning(
    tenantId: string,
    to: { emails: readonly string[]; phones: readonly string[] },
    now: Date,
  ): Promise<InviteRecord | null> {
    const matches = [...this.#db.tables.invites.values()]
      .filter(
        (row) =>
          row.tenantId === tenantId &&
          row.provisioned &&
          ((row.email !== null && to.emails.includes(row.email)) ||
            (row.phone !== null && to.phones.includes(row.phone))),
      )
      .map(inviteRecord)
      .filter((invite) => inviteStatus(invite, now) === 'pending')
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    return matches[0] ?? null;
  }

  async findByCodeHash(codeHash: string): Promise<InviteRecord | null> {
    for (const row of this.#db.tables.invites.values()) {
      if (row.codeHash === codeHash) return inviteRecord(row);
    }
    return null;
  }

  async accept(id: string, accountId: string, at: Date): Promise<void> {
    const row = this.#db.tables.invites.get(id);
    if (row) {
      row.acceptedAt = at.getTime();
      row.acceptedBy = accountId;
    }
  }
}

/** Deletes a tenant's rows from every memory table, then the persons left with no account (`TenantStore.erase`). */
function eraseTenant(db: MemoryDatabase, tenantId: string): { persons: number } {
  const t = db.tables;
  const members = new Set<string>();
  const dropWhere = <V>(map: Map<string, V>, gone: (value: V, key: string) => boolean) => {
    for (const [key, value] of map) if (gone(value, key)) map.delete(key);
  };
  for (const account of t.accounts.values()) if (account.tenantId === tenantId) members.add(account.personId);
  const accountIds = new Set(
    [...t.accounts.values()].filter((a) => a.tenantId === tenantId).map((a) => a.id),
  );
  dropWhere(t.accounts, (a) => a.tenantId === tenantId);
  dropWhere(t.sessions, (s) => s.tenantId === tenantId || accountIds.has(s.accountId));
  dropWhere(t.refreshTokens, (r) => !t.sessions.has(r.sessionId));
  dropWhere(t.refreshTokenIds, (id) => !t.refreshTokens.has(id));
  dropWhere(t.groups, (g) => g.tenantId === tenantId);
  dropWhere(t.invites, (i) => i.tenantId === tenantId);
  dropWhere(t.idempotencyKeys, (_, key) => key.startsWith(`${tenantId}\u0000`));
  dropWhere(t.apiKeys, (k) => k.tenantId === tenantId);
  dropWhere(t.magicLinks, (l) => l.tenantId === tenantId);
  dropWhere(t.magicLinkSettings, (_, key) => key === tenantId);
  dropWhere(t.challenges, (c) => c.tenantId === tenantId);
  dropWhere(t.otpChallenges, (c) => c.tenantId === tenantId);
  dropWhere(t.mfaChallenges, (c) => c.tenantId === tenantId);
  dropWhere(t.throttle, (c) => c.tenantId === tenantId);
  dropWhere(t.authorizeCalls, (c) => c.tenantId === tenantId);
  t.audit = t.audit.filter((e) => e.tenantId !== tenantId);
  t.auditHeads.delete(tenantId);
  t.auditRetention.delete(tenantId);
  t.revocationEvents = t.revocationEvents.filter((e) => e.tenantId !== tenantId);
  t.tenants.delete(tenantId);
  db.compiledPolicies.clear();
  // Persons who had an account here and have none left: their personal data goes.
  const stillMember = new Set([...t.accounts.values()].map((a) => a.personId));
  let persons = 0;
  for (const personId of members) {
    if (stillMember.has(personId)) continue;
    t.persons.delete(personId);
    dropWhere(t.identities, (i) => i.personId === personId);
    dropWhere(t.passkeys, (p) => p.personId === personId);
    t.passwords.delete(personId);
    t.totp.delete(personId);
    t.recoveryCodes.delete(personId);
    dropWhere(t.mfaChallenges, (c) => c.personId === personId);
    dropWhere(t.sessions, (s) => s.personId === personId);
    persons++;
  }
  dropWhere(t.refreshTokens, (r) => !t.sessions.has(r.sessionId));
  dropWhere(t.refreshTokenIds, (id) => !t.refreshTokens.has(id));
  return { persons };
}
