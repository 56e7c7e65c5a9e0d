import type {
  Account,
  AuthProvider,
  Group,
  Person,
  PolicySubject,
  Role,
  Tenant,
  TenantSummary,
} from '@enforcer/contract';
import { builtInRoles, defaultPolicy, mergeGroups, verifiedGroup } from '@enforcer/contract';
import { type CompiledPolicy, compile, type PolicyDocument, type Subject } from '@enforcer/contract/policy';
import {
  type ApiKeyRecord,
  generateTenantCode,
  type SessionRecord,
  SignInThrottle,
  tenantView,
  webCryptoRandom,
} from '@enforcer/core';
import {
  type KeptElsewhere,
  MemoryDatabase,
  type MemoryGroupRow,
  type MemoryInviteRow,
  MemoryOtpChallengeStore,
  MemorySessionStore,
  type MemoryTenantRow,
  recordRevocationEvent,
} from '@enforcer/core/memory';
import type { Clock } from '../shared/clock';
import { sha256, stableStringify, uuid } from './crypto';

export { mergeGroups };

/** The mock's rows: what the server keeps in PostgreSQL, in memory. Tenants are the core's memory table. */
export type TenantRow = MemoryTenantRow;

export interface PersonRow {
  id: string;
  email: string | null;
  emailVerified: boolean;
  createdAt: number;
}

export interface AccountRow {
  id: string;
  personId: string;
  tenantId: string;
  role: string;
  active: boolean;
  createdAt: number;
  grantVersion: number;
}

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

export interface TotpRow {
  secret: string;
  enabledAt: number | null;
  lastUsedStep: number | null;
}

export interface MfaChallengeRow {
  accountId: string;
  personId: string;
  tenantId: string;
  provider: string;
  amr: string[];
  attempts: number;
  expiresAt: number;
  consumedAt: number | null;
}

export interface MagicLinkRow {
  email: string;
  tenantId: string;
  expiresAt: number;
  usedAt: number | null;
}

/** A linked identity (`person_identity`): phone, Google, wallet or Privy user. */
export interface IdentityRow {
  id: string;
  personId: string;
  provider: 'phone_otp' | 'google' | 'siwe' | 'privy';
  subject: string;
  email: string | null;
  verifiedAt: number;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A registered passkey (the server's `passkey_credential`). */
export interface PasskeyRow {
  id: string;
  personId: string;
  /** The WebAuthn credential id, base64url. */
  credentialId: string;
  /** The COSE public key, as @simplewebauthn/server gives it. */
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  rpId: string;
  name: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A live passkey ceremony challenge (single use). */
export interface PasskeyChallengeRow {
  purpose: 'passkey_register' | 'passkey_login';
  value: string;
  tenantId: string;
  personId: string | null;
  name: string | null;
  expiresAt: number;
}

interface CompiledTenantPolicy {
  version: number;
  effective: PolicyDocument;
  etag: string;
  compiled: CompiledPolicy;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Everything the mock knows, with the queries its routes and seed helpers share. */
export class MockStore {
  readonly clock: Clock;
  /** The core's memory table (tenant rules are the core's: server/core/src/tenants). */
  get tenants(): Map<string, TenantRow> {
    return this.db.tables.tenants;
  }
  readonly persons = new Map<string, PersonRow>();
  readonly accounts = new Map<string, AccountRow>();
  /** Sessions and refresh tokens: the core's memory store (rotation rules live in the core). */
  readonly sessionStore = new MemorySessionStore({
    // What the server's database triggers do: the revocation feed hears of it.
    onRevoke: (session) =>
      recordRevocationEvent(this.db, {
        tenantId: session.tenantId,
        kind: 'session_revoked',
        sessionId: session.id,
        accountId: session.accountId,
      }),
  });
  readonly sessions = this.sessionStore.sessions;
  readonly otps = new Map<string, OtpRow>();
  get invites(): Map<string, InviteRow> {
    return this.db.tables.invites;
  }
  /** person id → password hash (a fast salted SHA-256 in the mock; argon2id on the server). */
  readonly passwords = new Map<string, string>();
  readonly totp = new Map<string, TotpRow>();
  /** person id → normalised recovery code → when used (null: unused). */
  readonly recoveryCodes = new Map<string, Map<string, number | null>>();
  /** mfa_token → challenge. */
  readonly mfaChallenges = new Map<string, MfaChallengeRow>();
  /** link token → link. */
  readonly magicLinks = new Map<string, MagicLinkRow>();
  /** tenant id → registered redirect URLs. */
  readonly magicLinkUrls = new Map<string, string[]>();
  readonly identities = new Map<string, IdentityRow>();
  /** id → passkey. */
  readonly passkeys = new Map<string, PasskeyRow>();
  /** challenge id → passkey ceremony challenge. */
  readonly passkeyChallenges = new Map<string, PasskeyChallengeRow>();
  /** One-time code challenges, hashed (the rules are the core's OtpService: methods/otp.ts). */
  readonly otpChallenges = new MemoryOtpChallengeStore();
  readonly #policies = new Map<string, CompiledTenantPolicy>();
  readonly #etags = new Map<string, string>();

  /**
   * The core's unit of work over memory: the stores the core's handlers use. Tables move here from this
   * class aggregate by aggregate (issue #13); until they do, `keptStores` answers over this class's rows.
   */
  readonly db: MemoryDatabase;
  /** The core's sign-in throttle, its counters in `db` (each call its own unit of work). */
  readonly throttle: SignInThrottle;

  /** `kept`: the core's ports over this class's rows (kept-stores.ts), for the tables not moved yet. */
  constructor(clock: Clock, kept: (store: MockStore) => KeptElsewhere) {
    this.clock = clock;
    this.db = new MemoryDatabase({ now: () => new Date(this.now()), kept: () => kept(this) });
    this.throttle = new SignInThrottle({ clock: { now: () => this.db.now() }, uow: this.db });
  }

  now(): number {
    return this.clock.now();
  }

  /** API keys: the core's memory table (the rules are the core's: api-keys/handlers.ts). */
  get apiKeys(): Map<string, ApiKeyRow> {
    return this.db.tables.apiKeys;
  }

  /** Groups by id: the core's memory table (the group rules are the core's, groups/handlers.ts). */
  get groups(): Map<string, GroupRow> {
    return this.db.tables.groups;
  }

  reset(): void {
    for (const map of [
      this.persons,
      this.accounts,
      this.sessions,
      this.otps,
      this.passwords,
      this.totp,
      this.recoveryCodes,
      this.mfaChallenges,
      this.magicLinks,
      this.magicLinkUrls,
      this.identities,
      this.passkeys,
      this.passkeyChallenges,
      this.#policies,
    ]) {
      map.clear();
    }
    this.sessionStore.clear();
    this.db.clear();
    this.otpChallenges.clear();
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
      id: uuid(),
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

  tenantSummary(t: TenantRow): TenantSummary {
    return { id: t.id, code: t.code, name: t.name, logo_url: t.logoUrl };
  }

  // --- persons and accounts --------------------------------------------------------------------

  personByEmail(email: string): PersonRow | undefined {
    const wanted = email.toLowerCase();
    for (const person of this.persons.values()) if (person.email === wanted) return person;
    return undefined;
  }

  ensurePerson(email: string, verified: boolean): PersonRow {
    const existing = this.personByEmail(email);
    if (existing) {
      if (verified) existing.emailVerified = true;
      return existing;
    }
    const person: PersonRow = {
      id: uuid(),
      email: email.toLowerCase(),
      emailVerified: verified,
      createdAt: this.now(),
    };
    this.persons.set(person.id, person);
    return person;
  }

  personView(p: PersonRow): Person {
    return { id: p.id, email: p.email, email_verified: p.emailVerified, created_at: iso(p.createdAt) };
  }

  accountOf(personId: string, tenantId: string): AccountRow | undefined {
    for (const account of this.accounts.values()) {
      if (account.personId === personId && account.tenantId === tenantId) return account;
    }
    return undefined;
  }

  createAccount(personId: string, tenantId: string, role: string): AccountRow {
    const account: AccountRow = {
      id: uuid(),
      personId,
      tenantId,
      role,
      active: true,
      createdAt: this.now(),
      grantVersion: 1,
    };
    this.accounts.set(account.id, account);
    return account;
  }

  /** Names of the account's groups, sorted (as in tokens). */
  groupNames(accountId: string): string[] {
    return [...this.groups.values()]
      .filter((g) => g.members.has(accountId))
      .map((g) => g.name)
      .sort();
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

  accountsOf(tenantId: string): AccountRow[] {
    return [...this.accounts.values()]
      .filter((a) => a.tenantId === tenantId)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  // --- groups ----------------------------------------------------------------------------------

  createGroup(
    tenantId: string,
    input: { name: string; description?: string | null; permissions?: string[]; builtIn?: boolean },
  ): GroupRow {
    const group: GroupRow = {
      id: uuid(),
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

  /** The tenant's effective policy, compiled once per version (as the server's TenantPolicyService). */
  policyOf(tenantId: string): CompiledTenantPolicy {
    const tenant = this.tenants.get(tenantId)!;
    const cached = this.#policies.get(tenantId);
    if (cached && cached.version === tenant.policyVersion) return cached;
    const effective = mergeGroups(tenant.policy, this.groupsOf(tenantId));
    const text = stableStringify(effective);
    const policy: CompiledTenantPolicy = {
      version: tenant.policyVersion,
      effective,
      etag: this.#etags.get(text) ?? '',
      compiled: compile(effective),
    };
    this.#policies.set(tenantId, policy);
    return policy;
  }

  /** The policy's ETag (async: WebCrypto), cached per document. */
  async etagOf(tenantId: string): Promise<string> {
    const policy = this.policyOf(tenantId);
    if (!policy.etag) {
      const text = stableStringify(policy.effective);
      policy.etag = this.#etags.get(text) ?? `"${(await sha256(text)).slice(0, 32)}"`;
      this.#etags.set(text, policy.etag);
    }
    return policy.etag;
  }

  /** The role catalog: the effective policy's roles, built-in ones flagged. */
  roles(tenantId: string): Role[] {
    const { effective } = this.policyOf(tenantId);
    return Object.entries(effective.roles).map(([name, grant]) => ({
      name,
      permissions: [...grant.permissions],
      description: grant.description ?? null,
      built_in: (builtInRoles as readonly string[]).includes(name),
    }));
  }

  // --- sessions --------------------------------------------------------------------------------

  revokeSession(session: SessionRow, reason: string): void {
    this.sessionStore.revoke(session.id, reason, new Date(this.now()));
  }

  /** Marks a change to what the account may do (role, groups, active), as the server's bumpGrantVersion. */
  bumpGrant(account: AccountRow): void {
    account.grantVersion += 1;
    recordRevocationEvent(this.db, {
      tenantId: account.tenantId,
      kind: 'account_changed',
      accountId: account.id,
    });
  }
}

export { iso };
