import type { Account } from '@enforcer/contract';
import type { PolicyDocument } from '@enforcer/contract/policy';

/** A tenant as the tenant rules see it (its policy is the policy port's). */
export interface TenantRecord {
  id: string;
  /** Public, shareable code like `2OPX-BYIE-GDUH` (upper case). */
  code: string;
  name: string;
  logoUrl: string | null;
  theme: Record<string, string>;
  /** Sign-in methods the tenant accepts (`email_otp`, `passkey`, ...). */
  authProviders: string[];
  allowSignup: boolean;
  /** Settings of the sign-in methods that need them, as stored (`authSettingsOf` reads them). */
  authSettings: Record<string, unknown>;
  createdAt: Date;
}

export interface NewTenant {
  code: string;
  name: string;
  logoUrl: string | null;
  theme: Record<string, string>;
  authProviders: string[];
  allowSignup: boolean;
  /** The tenant's first policy document (version 1). */
  policy: PolicyDocument;
}

export type TenantChanges = Partial<
  Pick<TenantRecord, 'name' | 'logoUrl' | 'theme' | 'authProviders' | 'allowSignup' | 'authSettings'>
>;

/** The port to tenants. Codes are unique: `create` with a code already taken is `409 conflict`. */
export interface TenantStore {
  /** The tenant, or null. With `lock`, the row is locked until the unit of work ends. */
  find(id: string, options?: { lock?: boolean }): Promise<TenantRecord | null>;
  /** The tenant with this code (exact, as `normaliseTenantCode` gives it), or null. */
  findByCode(code: string): Promise<TenantRecord | null>;
  /** Tenants whose Privy settings name this app id (`auth_settings.privy.app_id`), at most `limit`. */
  findByPrivyAppId(appId: string, limit: number): Promise<TenantRecord[]>;
  create(tenant: NewTenant): Promise<TenantRecord>;
  /** Writes the given fields of an existing tenant (`404 not_found` when there is none). */
  update(id: string, changes: TenantChanges): Promise<TenantRecord>;
}

/** An invitation into a tenant. Only the code's hash is stored (`hashInviteCode`). */
export interface InviteRecord {
  id: string;
  tenantId: string;
  /** Lower-cased. */
  email: string;
  role: string;
  codeHash: string;
  /** Account id of the inviter (null for an API key). */
  createdBy: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
}

/** The port to invites. */
export interface InviteStore {
  /** Whether `email` has an invite to the tenant that is neither accepted nor expired at `now`. */
  hasPending(tenantId: string, email: string, now: Date): Promise<boolean>;
  create(invite: InviteRecord): Promise<void>;
  /** The invite whose code hashes to `codeHash`, or null. With `lock`, locked until the unit of work ends. */
  findByCodeHash(codeHash: string, options?: { lock?: boolean }): Promise<InviteRecord | null>;
  /** Marks the invite taken, by the account it made (an invite works once). */
  accept(id: string, accountId: string, at: Date): Promise<void>;
}

/**
 * What the tenant rules need of the accounts and groups aggregates (their own ports live with them):
 * a new tenant's built-in groups, its first owner, and whether an email already has an account.
 */
export interface TenantMembers {
  addBuiltInGroup(tenantId: string, group: { name: string; description: string }): Promise<void>;
  /** A new account of `personId` in the tenant, with role `role` (the owner of a new tenant). */
  addAccount(tenantId: string, personId: string, role: string): Promise<Account>;
  /** Whether the person with this email has an account in the tenant. */
  hasAccount(tenantId: string, email: string): Promise<boolean>;
}
