import type { Account, AuthProvider, Group, PolicySubject, Tenant } from '@enforcer/contract';
import { defaultPolicy, mergeGroups, verifiedGroup } from '@enforcer/contract';
import type { PolicyDocument, Subject } from '@enforcer/contract/policy';
import {
  type ApiKeyRecord,
  generateTenantCode,
  type PasskeyDeps,
  type PasskeyRecord,
  type PasswordRecord,
  passkeySignIn,
  type SessionRecord,
  type SignInMethod,
  SignInThrottle,
  simpleWebAuthnVerifier,
  tenantView,
  webCryptoRandom,
} from '@enforcer/core';
import {
  accountOfPerson,
  bumpGrant,
  groupNamesOf,
  insertAccount,
  type MemoryAccountRow,
  type MemoryCompiledPolicy,
  MemoryDatabase,
  type MemoryGroupRow,
  type MemoryIdentityRow,
  type MemoryInviteRow,
  type MemoryOtpChallengeStore,
  type MemoryPersonRow,
  type MemorySessionStore,
  type MemoryTenantRow,
  personByEmail,
} from '@enforcer/core/memory';
import type { Clock } from '../shared/clock';

export { mergeGroups };

/** The mock's rows: what the server keeps in PostgreSQL, in memory. Tenants are the core's memory table. */
export type TenantRow = MemoryTenantRow;

/** A person: the core's memory table (`db.tables.persons`). */
export type PersonRow = MemoryPersonRow;

/** An account: the core's memory table (`db.tables.accounts`). */
export type AccountRow = MemoryAccountRow;

/** A group and its members (account id → when it joined): the core's memory table (`db.tables.groups`). */
export type GroupRow = MemoryGroupRow;

/** A session (refresh-token family): the core's record, kept by the core's memory store. */
export type SessionRow = SessionRecord;

/** A code the mock sent (what `mock.lastOtp` reads); the challenge itself is in `otpChallenges`. */
export interface OtpRow {
  /** `login` (email codes), `verify_email`, `password_reset`, `phone_login`, `verify_phone`. */
  purpose: string;
  /** The email, or the E.164 number of a phone code. */
  email: string;
  tenantId: string | null;
  code: string;
  expiresAt: number;
}

/** An invite: the core's memory table (only the code's hash is kept). */
export type InviteRow = MemoryInviteRow;

/** An API key: the core's record (hashed), kept in the core's memory database. */
export type ApiKeyRow = ApiKeyRecord;

/** A linked identity (`person_identity`): the core's memory table (`db.tables.identities`). */
export type IdentityRow = MemoryIdentityRow;

const iso = (ms: number) => new Date(ms).toISOString();

/** Everything the mock knows, with the queries its routes and seed helpers share. */
export class MockStore {
  readonly clock: Clock;
  /** The core's memory table (tenant rules are the core's: server/core/src/tenants). */
  get tenants(): Map<string, TenantRow> {
    return this.db.tables.tenants;
  }
  /** Persons, accounts and linked identities: the core's memory tables. */
  get persons(): Map<string, PersonRow> {
    return this.db.tables.persons;
  }
  get accounts(): Map<string, AccountRow> {
    return this.db.tables.accounts;
  }
  get identities(): Map<string, IdentityRow> {
    return this.db.tables.identities;
  }
  /** Sessions and refresh tokens: the core's memory session store (rotation rules live in the core). */
  get sessionStore(): MemorySessionStore {
    return this.db.sessions;
  }
  get sessions(): Map<string, SessionRow> {
    return this.db.sessions.sessions;
  }
  readonly otps = new Map<string, OtpRow>();
  get invites(): Map<string, InviteRow> {
    return this.db.tables.invites;
  }
  /** One-time codes' challenges: the core's memory table. */
  get otpChallenges(): MemoryOtpChallengeStore {
    return this.db.codes;
  }

  /**
   * The core's unit of work over memory: the stores the core's handlers use. Tables move here from this
   * class aggregate by aggregate (issue #13); the getters above read the ones that have.
   */
  readonly db: MemoryDatabase;
  /** The core's sign-in throttle, its counters in `db` (each call its own unit of work). */
  readonly throttle: SignInThrottle;
  /** What the core's passkey rules are built with (server/core/src/passkeys), and its sign-in method. */
  readonly passkeyDeps: PasskeyDeps;
  readonly passkeySignIn: SignInMethod<'passkey'>;

  constructor(clock: Clock) {
    this.clock = clock;
    this.db = new MemoryDatabase({ now: () => new Date(this.now()) });
    this.throttle = new SignInThrottle({ clock: { now: () => this.db.now() }, uow: this.db });
    this.passkeyDeps = {
      clock: { now: () => this.db.now() },
      random: webCryptoRandom,
      // The server's verifier (@simplewebauthn/server runs on WebCrypto, in Node and in the browser).
      webauthn: simpleWebAuthnVerifier(),
      decoyKey: webCryptoRandom.bytes(32),
    };
    this.passkeySignIn = passkeySignIn(this.passkeyDeps);
  }

  /** Passkeys by id: the core's memory table (the passkey rules are the core's, passkeys/). */
  get passkeys(): Map<string, PasskeyRecord> {
    return this.db.tables.passkeys;
  }

  now(): number {
    return this.clock.now();
  }

  /** API keys: the core's memory table (the rules are the core's: api-keys/handlers.ts). */
  get apiKeys(): Map<string, ApiKeyRow> {
    return this.db.tables.apiKeys;
  }

  /** Password hashes by person id: the core's memory table (the rules are the core's: passwords/). */
  get passwords(): Map<string, PasswordRecord> {
    return this.db.tables.passwords;
  }

  /** Groups by id: the core's memory table (the group rules are the core's, groups/handlers.ts). */
  get groups(): Map<string, GroupRow> {
    return this.db.tables.groups;
  }

  reset(): void {
    for (const map of [this.otps]) {
      map.clear();
    }
    this.db.clear();
  }

  // --- tenants ---------------------------------------------------------------------------------

  createTenant(input: {
    name: string;
    code?: string;
    logoUrl?: string | null;
    theme?: Record<string, string>;
    authProviders?: AuthProvider[];
    allowSignup?: boolean;
    policy?: PolicyDocument;
  }): TenantRow {
    let code = input.code?.trim().toUpperCase() ?? generateTenantCode(webCryptoRandom);
    while (!input.code && this.tenantByCode(code)) code = generateTenantCode(webCryptoRandom);
    const now = this.now();
    const tenant: TenantRow = {
      id: webCryptoRandom.uuid(),
      code,
      name: input.name,
      logoUrl: input.logoUrl ?? null,
      theme: input.theme ?? {},
      authProviders: input.authProviders ?? ['email_otp'],
      allowSignup: input.allowSignup ?? true,
      authSettings: {},
      createdAt: now,
      policy: input.policy ?? defaultPolicy(),
      policyUpdatedAt: now,
      policyVersion: 1,
    };
    this.tenants.set(tenant.id, tenant);
    this.createGroup(tenant.id, {
      name: verifiedGroup,
      description: 'Passed identity verification (KYC)',
      builtIn: true,
    });
    if (input.policy) this.policyOf(tenant.id); // a seeded policy must compile
    return tenant;
  }

  tenantByCode(code: string): TenantRow | undefined {
    const wanted = code.trim().toUpperCase();
    for (const tenant of this.tenants.values()) if (tenant.code === wanted) return tenant;
    return undefined;
  }

  /** A tenant by id or code. */
  tenant(idOrCode: string): TenantRow | undefined {
    return this.tenants.get(idOrCode) ?? this.tenantByCode(idOrCode);
  }

  tenantView(t: TenantRow): Tenant {
    return tenantView({ ...t, createdAt: new Date(t.createdAt) });
  }

  // --- persons and accounts --------------------------------------------------------------------

  personByEmail(email: string): PersonRow | undefined {
    return personByEmail(this.db, email.toLowerCase());
  }

  ensurePerson(email: string, verified: boolean): PersonRow {
    const existing = this.personByEmail(email);
    if (existing) {
      if (verified) existing.emailVerified = true;
      return existing;
    }
    const person: PersonRow = {
      id: webCryptoRandom.uuid(),
      email: email.toLowerCase(),
      emailVerified: verified,
      createdAt: this.now(),
    };
    this.persons.set(person.id, person);
    return person;
  }

  accountOf(personId: string, tenantId: string): AccountRow | undefined {
    return accountOfPerson(this.db, personId, tenantId);
  }

  createAccount(personId: string, tenantId: string, role: string): AccountRow {
    return insertAccount(this.db, { personId, tenantId, role });
  }

  /** Names of the account's groups, sorted (as in tokens). */
  groupNames(accountId: string): string[] {
    return groupNamesOf(this.db, accountId);
  }

  accountView(a: AccountRow): Account {
    return {
      id: a.id,
      person_id: a.personId,
      tenant_id: a.tenantId,
      email: this.persons.get(a.personId)?.email ?? null,
      role: a.role,
      active: a.active,
      groups: this.groupNames(a.id),
      created_at: iso(a.createdAt),
    };
  }

  /** The engine's subject for an account, from its current role and groups. */
  subjectOf(a: AccountRow): PolicySubject & Subject {
    return {
      id: a.id,
      person_id: a.personId,
      tenant_id: a.tenantId,
      roles: [a.role],
      groups: this.groupNames(a.id),
      attributes: {},
    };
  }

  // --- groups ----------------------------------------------------------------------------------

  createGroup(
    tenantId: string,
    input: { name: string; description?: string | null; permissions?: string[]; builtIn?: boolean },
  ): GroupRow {
    const group: GroupRow = {
      id: webCryptoRandom.uuid(),
      tenantId,
      name: input.name,
      description: input.description ?? null,
      permissions: input.permissions ?? [],
      builtIn: input.builtIn ?? false,
      createdAt: new Date(this.now()),
      members: new Map(),
    };
    this.groups.set(group.id, group);
    this.touchPolicy(tenantId);
    return group;
  }

  groupsOf(tenantId: string): GroupRow[] {
    return [...this.groups.values()]
      .filter((g) => g.tenantId === tenantId)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  groupByName(tenantId: string, name: string): GroupRow | undefined {
    return this.groupsOf(tenantId).find((g) => g.name === name);
  }

  groupView(g: GroupRow): Group {
    return {
      id: g.id,
      name: g.name,
      description: g.description,
      permissions: [...g.permissions],
      created_at: g.createdAt.toISOString(),
    };
  }

  // --- policy ----------------------------------------------------------------------------------

  touchPolicy(tenantId: string): void {
    const tenant = this.tenants.get(tenantId);
    if (tenant) tenant.policyVersion += 1;
  }

  /** The tenant's effective policy, compiled once per version (the core's memory policy store's cache). */
  policyOf(tenantId: string): MemoryCompiledPolicy {
    return this.db.compiledPolicies.of(this.db, tenantId);
  }

  // --- sessions --------------------------------------------------------------------------------

  revokeSession(session: SessionRow, reason: string): void {
    this.sessionStore.revoke(session.id, reason, new Date(this.now()));
  }

  /** Marks a change to what the account may do (role, groups, active), as the server's bumpGrantVersion. */
  bumpGrant(account: AccountRow): void {
    bumpGrant(this.db, account);
  }
}

export { iso };
