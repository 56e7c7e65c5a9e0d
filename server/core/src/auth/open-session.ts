import {
  metadataSubjectAttributes,
  type Person,
  type SubjectAttributeValue,
  type TokenResponse,
} from '@enforcer/contract';
import { accountDto } from '../accounts/handlers.js';
import type { AccountRecord } from '../accounts/ports.js';
import { grantRefusal, statusRefusal } from '../accounts/status.js';
import type { ClientInfo } from '../caller.js';
import { AppError, refusalError } from '../errors.js';
import { queueNewDeviceNotice } from '../messaging/notices.js';
import type { MessageOutboxDeps } from '../messaging/outbox.js';
import { tenantRefusal } from '../operator/tenant-status.js';
import type { PersonRecord } from '../persons/ports.js';
import type { AccountContext, AccountGrant } from '../policy/ports.js';
import type { DeletionRequestRecord } from '../privacy/ports.js';
import type { SessionRecord } from '../sessions/ports.js';
import type { RefreshTokenService } from '../sessions/refresh-tokens.js';
import type { Repositories, UnitOfWork } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import { tenantView } from '../tenants/provision.js';
import type { AccessTokenService } from '../tokens/access-tokens.js';

/** What starts a session: the account that has just authenticated, how, and from where. */
export interface OpenSessionInput {
  accountId: string;
  /** RFC 8176 values of the methods used (`otp`, `pwd`, `hwk`, ...), carried by every token of the session. */
  amr: readonly string[];
  /** When a second factor was completed for this sign-in (`mfa_at` of its tokens). */
  mfaAt?: Date | null;
  client: ClientInfo | Partial<ClientInfo>;
}

/** A step-up of the caller's session: which one, for which account, with what second factor, when. */
export interface StepUpInput {
  sessionId: string;
  accountId: string;
  amr: readonly string[];
  mfaAt: Date;
}

/** The new access token of a stepped-up session and the session's `amr` now. */
export interface SteppedUp {
  token: string;
  expiresAt: Date;
  amr: string[];
}

/**
 * What refresh asks of the MFA rules (`refreshSecondFactorGate` in mfa/second-factor.ts): does the tenant
 * now require a second factor this session never gave, and if so the refusal that lets the person give it
 * (`401 mfa_required` or `mfa_enrollment_required` with an `mfa_token`), recorded in the caller's unit of work.
 */
export interface RefreshSecondFactorGate {
  lacking(tenant: TenantRecord, roles: readonly string[], session: SessionRecord): boolean;
  challenge(
    repos: Repositories,
    input: { session: SessionRecord; client: Partial<ClientInfo> },
  ): Promise<AppError>;
}

export interface OpenedSession {
  sessionId: string;
  response: TokenResponse;
}

/** A person as the API shows it. */
export const personView = (person: PersonRecord): Person => ({
  id: person.id,
  email: person.email,
  email_verified: person.emailVerifiedAt !== null,
  created_at: person.createdAt.toISOString(),
  display_name: person.profile.displayName,
  avatar_url: person.profile.avatarUrl,
  locale: person.profile.locale,
  time_zone: person.profile.timeZone,
});

/**
 * Sessions as sign-in hands them out: login, join, switch, invite accept (and refresh) end here. A session
 * is a refresh-token family (`RefreshTokenService`) for one account; every answer carries an access token
 * minted from the account's grant as it is now, with the account, person and tenant it is for.
 */
export class SessionTokens {
  readonly #access: AccessTokenService;
  readonly #refresh: RefreshTokenService;
  readonly #uow: UnitOfWork;
  readonly #notices: MessageOutboxDeps | undefined;
  readonly #secondFactor: RefreshSecondFactorGate;

  constructor(options: {
    access: AccessTokenService;
    refresh: RefreshTokenService;
    uow: UnitOfWork;
    /**
     * The mail outbox (the server's): a session opened from a device the account has not signed in from
     * is noticed to its person (`new_device`, `queueNewDeviceNotice`). Without it (the mock), no notices.
     */
    notices?: MessageOutboxDeps;
    secondFactor: RefreshSecondFactorGate;
  }) {
    this.#access = options.access;
    this.#refresh = options.refresh;
    this.#uow = options.uow;
    this.#notices = options.notices;
    this.#secondFactor = options.secondFactor;
  }

  /** Starts a session in the caller's unit of work (it commits with it). Throws `account_inactive`. */
  async open(repos: Repositories, input: OpenSessionInput): Promise<OpenedSession> {
    const view = await accountView(repos, input.accountId);
    if (!view) throw new AppError('not_found', 'No such account');
    const refusal = statusRefusal(view.account) ?? tenantRefusal(view.tenant);
    if (refusal) throw refusal;
    const { grant } = view;
    // Before the new session is stored: the devices it is compared with are the earlier ones.
    if (this.#notices) {
      await queueNewDeviceNotice(repos, this.#notices, {
        accountId: grant.accountId,
        person: view.person,
        tenant: view.tenant,
        client: input.client,
      });
    }
    const issued = await this.#refresh.startSession(
      {
        accountId: grant.accountId,
        personId: grant.personId,
        tenantId: grant.tenantId,
        amr: [...input.amr],
        mfaAt: input.mfaAt ?? null,
        ip: input.client.ip ?? null,
        userAgent: input.client.userAgent ?? null,
      },
      repos.sessions,
    );
    return {
      sessionId: issued.session.id,
      response: {
        ...(await this.#response(view, issued.session, issued.refreshToken)),
        // Signing in during a deletion's grace period shows it: `DELETE /auth/me/deletion` cancels it.
        pending_deletion: pendingDeletionView(view.pendingDeletion),
      },
    };
  }

  /**
   * `POST /auth/refresh`: rotates the refresh token (its family's own transaction; a spent token outside
   * the grace window revokes the family) and mints an access token from the account's current grant. A
   * deactivated account's session is revoked (`account_inactive`). So is a session that never gave a second
   * factor when the tenant now requires one of the account (`auth_settings.mfa`, set after it signed in):
   * the answer is `401 mfa_enrollment_required` (or `mfa_required` when the person has TOTP on) with an
   * `mfa_token`, as at sign-in, and the factor opens a new session (the refresh token stands for the first
   * factor, as a pending session does at Clerk; nothing is issued without the factor).
   */
  async refresh(presented: string, client: Partial<ClientInfo>): Promise<TokenResponse> {
    // Whose session is it? Then the account's view, read once, before anything rotates: a suspended
    // tenant's refresh is refused with the session kept (making the tenant active again lets the same
    // refresh token work), and the same view serves the status check and the answer. A token's session,
    // and a session's account, never change, so the view read here is the rotated session's.
    const tokenHash = await this.#refresh.hashOf(presented);
    const view = tokenHash
      ? await this.#uow.read(async (repos) => {
          // The session and the account's context in one read (`GrantReader.findByRefreshToken`).
          const found = await repos.grants.findByRefreshToken(tokenHash);
          return found?.context ? viewOf(repos, found.context) : null;
        })
      : null;
    if (view) {
      const suspended = tenantRefusal(view.tenant);
      if (suspended) throw suspended;
    }
    let lackingFactor: SessionRecord | null = null;
    const rotated = await this.#refresh.rotate(presented, {
      ip: client.ip,
      userAgent: client.userAgent,
      check: async (session) => {
        const refusal = view
          ? statusRefusal(view.account)
          : new AppError('account_inactive', 'This account is gone');
        if (refusal) return { ok: false, code: refusal.code, detail: refusal.message, reason: refusal.code };
        if (!this.#secondFactor.lacking(view!.tenant, view!.grant.roles, session)) return undefined;
        // Checked once the token is proven live and spent: a stolen spent token gets no mfa_token.
        lackingFactor = session;
        const detail = 'This app now requires two-step verification';
        return { ok: false, code: 'mfa_required', detail, reason: 'mfa_required' };
      },
    });
    if (!rotated.ok) {
      const session: SessionRecord | null = lackingFactor;
      if (session) {
        throw await this.#uow.transaction((repos) =>
          this.#secondFactor.challenge(repos, { session, client }),
        );
      }
      throw refusalError(rotated);
    }
    const { session, refreshToken } = rotated.value;
    const answer = await this.#response(view!, session, refreshToken);
    // A deletion in its grace period shows on a refresh as on a sign-in (read with the account's view).
    return { ...answer, pending_deletion: pendingDeletionView(view!.pendingDeletion) };
  }

  /**
   * Step-up, in the caller's unit of work: the live session gains `amr` and `mfa_at` = `mfaAt`, and a new
   * access token for it is minted from the account's current grant (its refresh token is unchanged).
   * Throws `account_inactive` for a deactivated account, `unauthenticated` for an ended session.
   */
  async stepUp(repos: Repositories, input: StepUpInput): Promise<SteppedUp> {
    const grant = await repos.grants.find(input.accountId);
    const refusal = await grantRefusal(repos, grant);
    if (refusal || !grant) throw refusal ?? new AppError('account_inactive', 'This account is gone');
    const session = await repos.sessions.stepUp(input.sessionId, input.amr, input.mfaAt);
    if (!session) throw new AppError('unauthenticated', 'This session has ended');
    const attributes = await grantAttributes(repos, grant);
    const access = await this.#access.issue({
      attributes,
      accountId: grant.accountId,
      personId: grant.personId,
      tenantId: grant.tenantId,
      sessionId: session.id,
      roles: grant.roles,
      groups: grant.groups,
      amr: session.amr,
      mfaAt: session.mfaAt,
      grantVersion: grant.grantVersion,
    });
    return { token: access.token, expiresAt: access.expiresAt, amr: session.amr };
  }

  /** The session of a refresh token (used or not), or null. */
  sessionOf(presented: string): Promise<SessionRecord | null> {
    return this.#refresh.sessionOf(presented);
  }

  async #response(
    { grant, account, person, tenant, attributes }: AccountView,
    session: Pick<SessionRecord, 'id' | 'amr' | 'mfaAt'>,
    refreshToken: string,
  ): Promise<TokenResponse> {
    const access = await this.#access.issue({
      attributes,
      accountId: grant.accountId,
      personId: grant.personId,
      tenantId: grant.tenantId,
      sessionId: session.id,
      roles: grant.roles,
      groups: grant.groups,
      amr: [...session.amr],
      mfaAt: session.mfaAt ?? null,
      grantVersion: grant.grantVersion,
    });
    return {
      token: access.token,
      refresh_token: refreshToken,
      expires_at: access.expiresAt.toISOString(),
      token_type: 'Bearer',
      account: accountDto({ ...account, email: person.email, groups: grant.groups }),
      person: personView(person),
      tenant: tenantView(tenant),
    };
  }
}

/** A pending deletion as a token answer shows it (`pending_deletion`), null when none. */
const pendingDeletionView = (pending: DeletionRequestRecord | null): TokenResponse['pending_deletion'] =>
  pending ? { id: pending.id, scheduled_for: pending.scheduledFor.toISOString() } : null;

/** What a token answer is made of: the account's grant as it is now, the account, its person and tenant. */
interface AccountView {
  grant: AccountGrant;
  account: AccountRecord;
  person: PersonRecord;
  tenant: TenantRecord;
  pendingDeletion: DeletionRequestRecord | null;
  /** Subject attributes from the account's public metadata, as the tenant's policy declares them. */
  attributes: Record<string, SubjectAttributeValue>;
}

/** The `attrs` of a token for `grant`: its public metadata through the tenant's current policy. */
export async function grantAttributes(
  repos: Repositories,
  grant: AccountGrant,
): Promise<Record<string, SubjectAttributeValue>> {
  const policy = await repos.policies.forTenant(grant.tenantId);
  return metadataSubjectAttributes(policy.effective, grant.publicMetadata);
}

/** The account's view, read once; null when any part of it is gone. */
async function accountView(repos: Repositories, accountId: string): Promise<AccountView | null> {
  const context = await repos.grants.findContext(accountId);
  return context && viewOf(repos, context);
}

/** The view of an account's context: its token attributes through the tenant's policy. */
async function viewOf(repos: Repositories, context: AccountContext): Promise<AccountView> {
  const { grant, policyVersion } = context;
  // By version: the policy port's compiled copy, without reading the tenant again.
  const policy = await repos.policies.forTenant(grant.tenantId, { version: policyVersion });
  return { ...context, attributes: metadataSubjectAttributes(policy.effective, grant.publicMetadata) };
}
