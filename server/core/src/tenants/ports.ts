import type { Account, TenantStatus } from '@enforcer/contract';
import type { PolicyDocument } from '@enforcer/contract/policy';
import type { PageRequest } from '../pagination.js';

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
  /** Limits on roles and groups, as stored (`tenantLimitsOf` reads them with their defaults). */
  limits?: Record<string, unknown>;
  /** Web origins allowed to call Enforcer from a browser (CORS), as `allowedOriginsSchema` normalised them. */
  allowedOrigins: string[];
  /** `suspended` by the deployment's operator: nothing of the tenant's gets in (`tenantRefusal`). */
  status: TenantStatus;
  /** Why the operator last changed the status, and when (null when never). */
  statusReason: string | null;
  statusChangedAt: Date | null;
  /** With `pending_deletion`: when the deletion job may delete it. */
  deletionDueAt: Date | null;
  createdAt: Date;
}

/** The operator's list: a name that contains `q` (any case) or the code `q`, and/or a status. */
export interface TenantListRequest extends PageRequest {
  q?: string | undefined;
  status?: TenantStatus | undefined;
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
  Pick<
    TenantRecord,
    | 'name'
    | 'logoUrl'
    | 'theme'
    | 'authProviders'
    | 'allowSignup'
    | 'authSettings'
    | 'limits'
    | 'allowedOrigins'
    | 'status'
    | 'statusReason'
    | 'statusChangedAt'
    | 'deletionDueAt'
  >
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
  /** A page of every tenant of the deployment (the operator's), in page order. */
  list(request: TenantListRequest): Promise<TenantRecord[]>;
  /** Tenants `pending_deletion` whose `deletionDueAt` is at or before `now`, oldest due first, at most `limit`. */
  dueForDeletion(now: Date, limit: number): Promise<TenantRecord[]>;
  /**
   * Deletes the tenant and every row of it (accounts, sessions, groups, keys, invites, audit events, throttle
   * counters, revocation events, usage, ...), then the persons who had an account in it and have none left
   * (with their identities, passkeys, passwords and second factors). Answers how many persons went.
   */
  erase(id: string): Promise<{ persons: number }>;
}

/** An invitation into a tenant, as created. Only the code's hash is stored (`hashInviteCode`). */
export interface NewInvite {
  id: string;
  tenantId: string;
  /** Lower-cased. Null only for a provisioning addressed to a phone alone. */
  email: string | null;
  /** E.164; only a provisioning (`POST /accounts`) carries one. */
  phone: string | null;
  /** The primary role: `roles[0]`. */
  role: string;
  /** Every role the account will hold, grant order (an invite's is `[role]`). */
  roles: string[];
  /** Names of the groups the account will join (a provisioning's; none for an invite). */
  groups: string[];
  /**
   * Made by `POST /accounts`: besides its code, a person who signs in to the tenant with a proven email or
   * phone it names takes it (the JIT join). A plain invite needs its code.
   */
  provisioned: boolean;
  codeHash: string;
  /** Account id of the inviter (null for an API key). */
  createdBy: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
}

/** An invite as stored. */
export interface InviteRecord extends NewInvite {
  createdAt: Date;
  /** When an admin revoked it (its code was replaced then, so it no longer works). */
  revokedAt: Date | null;
  /** When it was last mailed (created or resent with mail), null when never. */
  sentAt: Date | null;
}

/** Where an invite stands at a moment: revoked and accepted first, then expired, else pending. */
export type InviteStatus = 'pending' | 'accepted' | 'expired' | 'revoked';

export function inviteStatus(
  invite: Pick<InviteRecord, 'acceptedAt' | 'revokedAt' | 'expiresAt'>,
  now: Date,
): InviteStatus {
  if (invite.revokedAt) return 'revoked';
  if (invite.acceptedAt) return 'accepted';
  return invite.expiresAt <= now ? 'expired' : 'pending';
}

/**
 * What an admin changes on an invite: a resend (new code, new expiry, mailed), a revocation, or its role
 * (the role was deleted with `?reassign_to=`).
 */
export type InviteChanges = Partial<
  Pick<InviteRecord, 'codeHash' | 'expiresAt' | 'revokedAt' | 'sentAt' | 'roles'>
>;

/** The port to invites. */
export interface InviteStore {
  /** Whether `email` has an invite to the tenant that is neither accepted, revoked nor expired at `now`. */
  hasPending(tenantId: string, email: string, now: Date): Promise<boolean>;
  /**
   * The oldest pending provisioning (`provisioned`) of the tenant addressed to one of these emails or phones
   * at `now`, locked until the unit of work ends; null when none.
   */
  pendingProvisioning(
    tenantId: string,
    to: { emails: readonly string[]; phones: readonly string[] },
    now: Date,
  ): Promise<InviteRecord | null>;
  /** Stores a new invite (the store sets `createdAt`; `revokedAt` and `sentAt` start null). */
  create(invite: NewInvite): Promise<void>;
  /** The invite, when it is in `tenantId` (null otherwise). With `lock`, locked until the unit of work ends. */
  find(tenantId: string, id: string, options?: { lock?: boolean }): Promise<InviteRecord | null>;
  /**
   * A page of the tenant's invites in page order (`createdAt`, then id), only those with `status` at `now`
   * when it is given.
   */
  list(
    tenantId: string,
    request: PageRequest & { status?: InviteStatus; now: Date },
  ): Promise<InviteRecord[]>;
  /** Writes the given fields of an invite. */
  update(id: string, changes: InviteChanges): Promise<void>;
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
