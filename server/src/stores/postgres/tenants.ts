import type { Account as AccountDto } from '@enforcer/contract';
import {
  AppError,
  accountDto,
  type InviteChanges,
  type InviteRecord,
  type InviteStatus,
  type InviteStore,
  type NewInvite,
  type NewTenant,
  type PageRequest,
  policyEtag,
  type TenantChanges,
  type TenantListRequest,
  type TenantMembers,
  type TenantRecord,
  type TenantStore,
} from '@enforcer/core';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Account, Person } from '../../entities/accounts.js';
import { Group } from '../../entities/groups.js';
import { type IInvite, Invite, Tenant, tenantRecordOf } from '../../entities/tenants.js';
import type { Clock } from '../../lib/clock.js';
import { afterPosition, pageOrder } from '../../lib/pagination.js';
import { PostgresAccountStore } from './accounts.js';

/** Tenants in the `tenant` table, in the unit's transaction (`lock`: `SELECT … FOR UPDATE`). */
export class PostgresTenantStore implements TenantStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async find(id: string, options: { lock?: boolean } = {}): Promise<TenantRecord | null> {
    const tenant = await this.#em.findOne(
      Tenant,
      id,
      options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : { refresh: true },
    );
    return tenant ? tenantRecordOf(tenant) : null;
  }

  async findByCode(code: string): Promise<TenantRecord | null> {
    const tenant = await this.#em.findOne(Tenant, { code });
    return tenant ? tenantRecordOf(tenant) : null;
  }

  async findByPrivyAppId(appId: string, limit: number): Promise<TenantRecord[]> {
    const rows: Array<{ id: string }> = await this.#em.execute(
      `select "id" from "tenant" where "auth_settings" -> 'privy' ->> 'app_id' = ? order by "id" limit ?`,
      [appId, limit],
    );
    const tenants = await this.#em.find(
      Tenant,
      { id: { $in: rows.map((r) => r.id) } },
      { orderBy: { id: 'asc' } },
    );
    return tenants.map(tenantRecordOf);
  }

  async create(input: NewTenant): Promise<TenantRecord> {
    // Checked first: a unique-constraint violation would abort the whole transaction as a 500.
    if (await this.#em.count(Tenant, { code: input.code })) {
      throw new AppError('conflict', 'This tenant code is taken');
    }
    const tenant = this.#em.create(Tenant, {
      code: input.code,
      name: input.name,
      logoUrl: input.logoUrl,
      theme: input.theme,
      authProviders: input.authProviders,
      allowSignup: input.allowSignup,
      policy: input.policy as unknown as Record<string, unknown>,
      policyEtag: await policyEtag(input.policy),
    });
    await this.#em.flush();
    return tenantRecordOf(tenant);
  }

  async update(id: string, changes: TenantChanges): Promise<TenantRecord> {
    const tenant = await this.#em.findOne(Tenant, id);
    if (!tenant) throw new AppError('not_found', 'No such tenant');
    if (changes.name !== undefined) tenant.name = changes.name;
    if (changes.logoUrl !== undefined) tenant.logoUrl = changes.logoUrl;
    if (changes.theme !== undefined) tenant.theme = changes.theme;
    if (changes.authProviders !== undefined) tenant.authProviders = changes.authProviders;
    if (changes.allowSignup !== undefined) tenant.allowSignup = changes.allowSignup;
    if (changes.authSettings !== undefined) tenant.authSettings = changes.authSettings;
    if (changes.limits !== undefined) tenant.limits = changes.limits;
    if (changes.allowedOrigins !== undefined) tenant.allowedOrigins = changes.allowedOrigins;
    if (changes.status !== undefined) tenant.status = changes.status;
    if (changes.statusReason !== undefined) tenant.statusReason = changes.statusReason;
    if (changes.statusChangedAt !== undefined) tenant.statusChangedAt = changes.statusChangedAt;
    if (changes.deletionDueAt !== undefined) tenant.deletionDueAt = changes.deletionDueAt;
    await this.#em.flush();
    return tenantRecordOf(tenant);
  }

  async dueForDeletion(now: Date, limit: number): Promise<TenantRecord[]> {
    const rows = await this.#em.find(
      Tenant,
      { status: 'pending_deletion', deletionDueAt: { $lte: now } },
      { orderBy: { deletionDueAt: 'asc' }, limit, refresh: true },
    );
    return rows.map(tenantRecordOf);
  }

  async erase(id: string): Promise<{ persons: number }> {
    const execute = (sql: string, params: unknown[]) => this.#em.execute(sql, params);
    const members = (await execute(`select distinct "person_id" from "account" where "tenant_id" = ?`, [
      id,
    ])) as Array<{ person_id: string }>;
    // What has no foreign key to the tenant goes by hand; the rest cascades from the tenant row.
    await execute(`delete from "audit_event" where "tenant_id" = ?`, [id]);
    await execute(`delete from "auth_throttle" where "tenant_id" = ?`, [id]);
    await execute(`delete from "tenant" where "id" = ?`, [id]);
    // The cascade's triggers logged its sessions and accounts in the feed: nobody reads that tenant's feed.
    await execute(`delete from "revocation_event" where "tenant_id" = ?`, [id]);
    if (members.length === 0) return { persons: 0 };
    const persons = (await execute(
      `delete from "person" p where p."id" in (?)
         and not exists (select 1 from "account" a where a."person_id" = p."id")
       returning p."id"`,
      [members.map((m) => m.person_id)],
    )) as Array<{ id: string }>;
    return { persons: persons.length };
  }

  async list(request: TenantListRequest): Promise<TenantRecord[]> {
    const where: Record<string, unknown>[] = [afterPosition(request.after)];
    if (request.status) where.push({ status: request.status });
    if (request.q) {
      // A name contains it (any case; LIKE's wildcards escaped) or the code is it.
      const pattern = `%${request.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push({ $or: [{ name: { $ilike: pattern } }, { code: request.q.toUpperCase() }] });
    }
    const rows = await this.#em.find(
      Tenant,
      { $and: where },
      { orderBy: pageOrder, limit: request.limit, refresh: true },
    );
    return rows.map(tenantRecordOf);
  }
}

export const inviteRecord = (invite: IInvite): InviteRecord => ({
  id: invite.id,
  tenantId: invite.tenant.id,
  email: invite.email ?? null,
  phone: invite.phone ?? null,
  role: invite.role,
  roles: invite.roles.length > 0 ? [...invite.roles] : [invite.role],
  groups: [...invite.groups],
  provisioned: invite.provisioned,
  codeHash: invite.codeHash,
  createdBy: invite.createdBy ?? null,
  expiresAt: invite.expiresAt,
  acceptedAt: invite.acceptedAt ?? null,
  createdAt: invite.createdAt,
  revokedAt: invite.revokedAt ?? null,
  sentAt: invite.sentAt ?? null,
});

/** The invites with `status` at `now` (inviteStatus of the core, as a filter). */
function statusFilter(status: InviteStatus, now: Date): Record<string, unknown> {
  switch (status) {
    case 'revoked':
      return { revokedAt: { $ne: null } };
    case 'accepted':
      return { revokedAt: null, acceptedAt: { $ne: null } };
    case 'expired':
      return { revokedAt: null, acceptedAt: null, expiresAt: { $lte: now } };
    case 'pending':
      return { revokedAt: null, acceptedAt: null, expiresAt: { $gt: now } };
  }
}

/** Invites in the `invite` table, in the unit's transaction. */
export class PostgresInviteStore implements InviteStore {
  readonly #em: EntityManager;
  readonly #clock: Clock;

  constructor(em: EntityManager, clock: Clock) {
    this.#em = em;
    this.#clock = clock;
  }

  async hasPending(tenantId: string, email: string, now: Date): Promise<boolean> {
    const pending = await this.#em.count(Invite, {
      tenant: tenantId,
      email,
      ...statusFilter('pending', now),
    });
    return pending > 0;
  }

  async find(tenantId: string, id: string, options: { lock?: boolean } = {}): Promise<InviteRecord | null> {
    const invite = await this.#em.findOne(
      Invite,
      { id, tenant: tenantId },
      options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
    return invite ? inviteRecord(invite) : null;
  }

  async list(
    tenantId: string,
    request: PageRequest & { status?: InviteStatus; now: Date },
  ): Promise<InviteRecord[]> {
    const filters: Record<string, unknown>[] = [{ tenant: tenantId }, afterPosition(request.after)];
    if (request.status) filters.push(statusFilter(request.status, request.now));
    const rows = await this.#em.find(Invite, { $and: filters }, { orderBy: pageOrder, limit: request.limit });
    return rows.map(inviteRecord);
  }

  async update(id: string, changes: InviteChanges): Promise<void> {
    const invite = await this.#em.findOneOrFail(Invite, id);
    if (changes.codeHash !== undefined) invite.codeHash = changes.codeHash;
    if (changes.expiresAt !== undefined) invite.expiresAt = changes.expiresAt;
    if (changes.revokedAt !== undefined) invite.revokedAt = changes.revokedAt;
    if (changes.sentAt !== undefined) invite.sentAt = changes.sentAt;
    if (changes.roles !== undefined) {
      invite.roles = [...changes.roles];
      invite.role = changes.roles[0] ?? invite.role;
    }
    await this.#em.flush();
  }

  async pendingProvisioning(
    tenantId: string,
    to: { emails: readonly string[]; phones: readonly string[] },
    now: Date,
  ): Promise<InviteRecord | null> {
    const addressed: Record<string, unknown>[] = [];
    if (to.emails.length > 0) addressed.push({ email: { $in: [...to.emails] } });
    if (to.phones.length > 0) addressed.push({ phone: { $in: [...to.phones] } });
    if (addressed.length === 0) return null;
    const invite = await this.#em.findOne(
      Invite,
      { tenant: tenantId, provisioned: true, $or: addressed, ...statusFilter('pending', now) },
      { orderBy: pageOrder, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    return invite ? inviteRecord(invite) : null;
  }

  async create(invite: NewInvite): Promise<void> {
    this.#em.create(Invite, {
      id: invite.id,
      tenant: this.#em.getReference(Tenant, invite.tenantId),
      email: invite.email,
      phone: invite.phone,
      role: invite.roles[0] ?? invite.role,
      roles: [...invite.roles],
      groups: [...invite.groups],
      provisioned: invite.provisioned,
      codeHash: invite.codeHash,
      createdBy: invite.createdBy,
      acceptedBy: null,
      acceptedAt: invite.acceptedAt,
      expiresAt: invite.expiresAt,
      createdAt: this.#clock.now(),
    });
    await this.#em.flush();
  }

  async findByCodeHash(codeHash: string, options: { lock?: boolean } = {}): Promise<InviteRecord | null> {
    const invite = await this.#em.findOne(
      Invite,
      { codeHash },
      options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
    return invite ? inviteRecord(invite) : null;
  }

  async accept(id: string, accountId: string, at: Date): Promise<void> {
    const invite = await this.#em.findOneOrFail(Invite, id);
    invite.acceptedAt = at;
    invite.acceptedBy = accountId;
    await this.#em.flush();
  }
}

/** A new tenant's groups and owner, and account lookups by email, over the accounts and groups tables. */
export class PostgresTenantMembers implements TenantMembers {
  readonly #em: EntityManager;
  readonly #clock: Clock;

  constructor(em: EntityManager, clock: Clock) {
    this.#em = em;
    this.#clock = clock;
  }

  async addBuiltInGroup(tenantId: string, group: { name: string; description: string }): Promise<void> {
    this.#em.create(Group, {
      tenant: this.#em.getReference(Tenant, tenantId),
      name: group.name,
      description: group.description,
      permissions: [],
      builtIn: true,
    });
    await this.#em.flush();
  }

  async addAccount(tenantId: string, personId: string, role: string): Promise<AccountDto> {
    const person = await this.#em.findOneOrFail(Person, personId);
    const account = await new PostgresAccountStore(this.#em, this.#clock).create({
      personId,
      tenantId,
      role,
    });
    return accountDto({ ...account, email: person.email ?? null, groups: [] });
  }

  async hasAccount(tenantId: string, email: string): Promise<boolean> {
    return (await this.#em.count(Account, { tenant: tenantId, person: { email } })) > 0;
  }
}
