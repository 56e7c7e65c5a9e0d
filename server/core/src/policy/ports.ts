import type { PolicyDocument } from '@enforcer/contract/policy';
import type { AccountRecord } from '../accounts/ports.js';
import type { PersonRecord } from '../persons/ports.js';
import type { DeletionRequestRecord } from '../privacy/ports.js';
import type { SessionRecord } from '../sessions/ports.js';
import type { TenantRecord } from '../tenants/ports.js';
import type { TenantPolicy } from './tenant-policy.js';

/**
 * The port to a tenant's policy: the stored document, and the effective one (merged with the tenant's
 * groups), compiled once per version by the store's cache. Reads inside a unit of work see its own writes.
 */
export interface TenantPolicyStore {
  /**
   * The tenant's policy. With `lock`, the tenant row is locked until the unit of work ends: changes to
   * groups and to the policy document are made one writer at a time per tenant, so each bumps the
   * version exactly once. With `version` (the one the caller's authentication read), a cached compile of
   * that version answers without touching storage. A tenant that does not exist is `404 not_found`.
   */
  forTenant(tenantId: string, options?: { lock?: boolean; version?: number }): Promise<TenantPolicy>;
  /** The tenant's groups as the effective policy merges them (name order). */
  groupGrants(
    tenantId: string,
  ): Promise<{ name: string; permissions: string[]; description: string | null }[]>;
  /** When the tenant's policy was last written (`updated_at` of `GET /policy`). */
  updatedAt(tenantId: string): Promise<Date>;
  /**
   * Bumps the policy version without a new document: the effective policy changed another way (a group was
   * created), so every process recompiles on its next request.
   */
  bumpVersion(tenantId: string): Promise<void>;
  /** Stores a validated document and bumps the policy version (in the unit of work's transaction). */
  write(tenantId: string, document: PolicyDocument): Promise<void>;
}

/** What an account may do right now: its role(s), group names and status. */
export interface AccountGrant {
  accountId: string;
  personId: string;
  tenantId: string;
  active: boolean;
  roles: string[];
  /** Group names, sorted. */
  groups: string[];
  /** Bumped by every change to the above (tokens and the revocation feed carry it). */
  grantVersion: number;
  /** The account's public metadata: the source of the policy's metadata subject attributes (`attrs`). */
  publicMetadata: Readonly<Record<string, unknown>>;
}

/**
 * An account with what a token answer is made of (`POST /auth/refresh`, the busiest read of all): its
 * grant, its record, its person, its tenant, the version of the tenant's policy (whose compiled form
 * the policy port caches by version), and the person's pending deletion.
 */
export interface AccountContext {
  grant: AccountGrant;
  account: AccountRecord;
  person: PersonRecord;
  tenant: TenantRecord;
  policyVersion: number;
  /** The person's deletion request in its grace period, if any: a token answer shows it. */
  pendingDeletion: DeletionRequestRecord | null;
}

/** Reads of accounts' grants, for decisions about an account other than the caller. */
export interface GrantReader {
  /** The account's current grant, or null when there is no such account. */
  find(accountId: string): Promise<AccountGrant | null>;
  /** `find` with the account's record, person and tenant, read together; null when any of them is gone. */
  findContext(accountId: string): Promise<AccountContext | null>;
  /**
   * A refresh token's session (by the token's hash, used or not) and its account's context
   * (`findContext`), in one read: every refresh asks both first. Null when no token has this hash; the
   * context is null when the account, its person or its tenant is gone.
   */
  findByRefreshToken(
    tokenHash: string,
  ): Promise<{ session: SessionRecord; context: AccountContext | null } | null>;
  /**
   * The roles held in a tenant: by its active accounts, and by any account or live API key (a policy may
   * not drop a role someone holds, nor leave no active account able to manage the tenant).
   */
  rolesHeld(tenantId: string): Promise<{ byActiveAccounts: string[]; byAnyone: string[] }>;
}
