import type { PolicyDocument } from '@enforcer/contract/policy';
import { statusChange } from '../../accounts/status.js';
import type { RandomSource } from '../../platform.js';
import { generateTenantCode } from '../../tenants/codes.js';
import { builtInGroups, newTenant, type ProvisionTenantInput } from '../../tenants/provision.js';
import {
  accountOfPerson,
  bumpGrant,
  insertAccount,
  type MemoryAccountRow,
  setRowStatus,
} from './accounts.js';
import type { MemoryDatabase } from './database.js';
import { insertGroup, type MemoryGroupRow } from './groups.js';
import { type MemoryPersonRow, personByEmail } from './persons.js';
import { insertTenant, type MemoryTenantRow } from './tenants.js';

/**
 * Seeding the memory database at once, for the mock's `seed` helpers (which answer synchronously, so they
 * cannot run a unit of work). Each one makes the rows the core's rules would make, with the core's
 * defaults (`newTenant`, `builtInGroups`), and marks what those rules mark (a group or policy change bumps
 * the policy version, a grant change the account's grant version and the revocation feed). A seed acts as
 * the platform: no caller, so nothing is checked against one.
 */

/** A tenant as `provisionTenant` makes it, optionally with a policy (already validated: it must compile). */
export function seedTenant(
  db: MemoryDatabase,
  random: RandomSource,
  input: ProvisionTenantInput & { policy?: PolicyDocument },
): MemoryTenantRow {
  const taken = (code: string) => [...db.tables.tenants.values()].some((t) => t.code === code);
  let code = input.code?.trim().toUpperCase() ?? generateTenantCode(random);
  while (input.code === undefined && taken(code)) code = generateTenantCode(random);
  const tenant = insertTenant(db, newTenant(code, input));
  for (const group of builtInGroups) {
    insertGroup(db, { tenantId: tenant.id, ...group, permissions: [], builtIn: true });
  }
  if (input.policy) seedPolicy(db, tenant.id, input.policy);
  return tenant;
}

/** Replaces the tenant's stored policy (already validated) and compiles it, as a policy update. */
export function seedPolicy(db: MemoryDatabase, tenantId: string, document: PolicyDocument): void {
  const tenant = db.tables.tenants.get(tenantId)!;
  tenant.policy = structuredClone(document);
  tenant.policyUpdatedAt = db.now().getTime();
  tenant.policyVersion += 1;
  db.compiledPolicies.of(db, tenantId);
}

/** A group of the tenant; its permissions join the effective policy (a new policy version). */
export function seedGroup(
  db: MemoryDatabase,
  tenantId: string,
  input: { name: string; description?: string | null; permissions?: string[] },
): MemoryGroupRow {
  const group = insertGroup(db, {
    tenantId,
    name: input.name,
    description: input.description ?? null,
    permissions: input.permissions ?? [],
    builtIn: false,
  });
  db.tables.tenants.get(tenantId)!.policyVersion += 1;
  return group;
}

/** The person with this email (proven), made when there is none. */
export function seedPerson(db: MemoryDatabase, email: string): MemoryPersonRow {
  const address = email.toLowerCase();
  const existing = personByEmail(db, address);
  if (existing) {
    existing.emailVerified = true;
    return existing;
  }
  const person = {
    id: crypto.randomUUID(),
    email: address,
    emailVerified: true,
    createdAt: db.now().getTime(),
  };
  db.tables.persons.set(person.id, person);
  return person;
}

/**
 * The account of `email` in the tenant, made (as `member` unless a role is given) when there is none;
 * a role, a status and groups given are set (missing groups are made).
 */
export function seedAccount(
  db: MemoryDatabase,
  input: { tenantId: string; email: string; role?: string; active?: boolean; groups?: string[] },
): MemoryAccountRow {
  const person = seedPerson(db, input.email);
  const existing = accountOfPerson(db, person.id, input.tenantId);
  const account =
    existing ??
    insertAccount(db, { personId: person.id, tenantId: input.tenantId, role: input.role ?? 'member' });
  // A new account is made as asked; an existing one changes, and each change is a grant change.
  if (!existing && input.active === false) setRowStatus(account, seededStatus(db, false));
  if (existing) seedGrant(db, account, { role: input.role, active: input.active });
  for (const name of input.groups ?? []) {
    const group = groupNamed(db, input.tenantId, name) ?? seedGroup(db, input.tenantId, { name });
    if (existing) seedMembership(db, account, group, true);
    else group.members.set(account.id, db.now());
  }
  return account;
}

/** The tenant's group with this name. */
export function groupNamed(db: MemoryDatabase, tenantId: string, name: string): MemoryGroupRow | undefined {
  for (const group of db.tables.groups.values()) {
    if (group.tenantId === tenantId && group.name === name) return group;
  }
  return undefined;
}

/** Adds the account to the group or takes it out: a grant change. */
export function seedMembership(
  db: MemoryDatabase,
  account: MemoryAccountRow,
  group: MemoryGroupRow,
  member: boolean,
): void {
  if (member === group.members.has(account.id)) return;
  if (member) group.members.set(account.id, db.now());
  else group.members.delete(account.id);
  bumpGrant(db, account);
}

/** `active` or `deactivated`, as a seed sets it (by nobody, now). */
const seededStatus = (db: MemoryDatabase, active: boolean) =>
  statusChange(active ? 'active' : 'deactivated', { at: db.now(), by: null });

/** Sets the account's role or status: a grant change when either changes. */
export function seedGrant(
  db: MemoryDatabase,
  account: MemoryAccountRow,
  changes: { role?: string | undefined; active?: boolean | undefined },
): void {
  const roles = changes.role === undefined ? account.roles : [changes.role];
  const active = changes.active ?? account.active;
  const sameRoles = roles.length === account.roles.length && roles.every((r, i) => r === account.roles[i]);
  if (sameRoles && active === account.active) return;
  account.roles = roles;
  if (active !== account.active) setRowStatus(account, seededStatus(db, active));
  bumpGrant(db, account);
}
