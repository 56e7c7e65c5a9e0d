import type { contract, LogoutBody, MeResponse } from '@enforcer/contract';
import { accountDto } from '../accounts/handlers.js';
import { assertMetadataFits, mergeMetadata } from '../accounts/metadata.js';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import { auditActorOf, refuseImpersonation, type UserCaller } from '../caller.js';
import { AppError } from '../errors.js';
import type { Repositories } from '../store.js';
import { tenantView } from '../tenants/provision.js';
import { login } from './login.js';
import { personView } from './open-session.js';
import {
  checkCookieRequest,
  type HeaderBag,
  headersOf,
  type RefreshCookieDeps,
  refreshCookies,
  refreshTokenFromCookies,
  wantsRefreshCookie,
} from './refresh-cookie.js';
import { type RegisterDeps, register } from './register.js';
import { type CodeRequestOptions, requestCode } from './request-code.js';
import { acceptInvite, joinTenant, switchTenant } from './tenant-sessions.js';

/** The routes of `contract.auth` that open, renew, end and describe sessions. */
export type AuthHandlers = Pick<
  Handlers<typeof contract.auth>,
  | 'register'
  | 'requestOtp'
  | 'login'
  | 'passkeyLoginFinish'
  | 'refresh'
  | 'logout'
  | 'joinTenant'
  | 'switchTenant'
  | 'acceptInvite'
  | 'me'
  | 'updateMe'
  | 'updateMyMetadata'
>;

export interface AuthDeps extends RegisterDeps {
  /** One-time codes: requesting them (`POST /auth/otp/request`). */
  codes: CodeRequestOptions;
  /** The refresh-token cookie mode (#18); without it the cookie lives 30 days and only tenants' origins pass. */
  refreshCookie?: Omit<RefreshCookieDeps, 'uow'>;
}

const DEFAULT_COOKIE_MAX_AGE = 30 * 24 * 3600;

function cookieDeps(deps: AuthDeps): RefreshCookieDeps {
  return {
    uow: deps.uow,
    maxAgeSeconds: deps.refreshCookie?.maxAgeSeconds ?? DEFAULT_COOKIE_MAX_AGE,
    trustedOrigins: deps.refreshCookie?.trustedOrigins ?? [],
  };
}

/**
 * The refresh token a refresh or logout presents: the body's, or else (cookie mode) the cookie's, which
 * passes the CSRF check first. `undefined` when neither was sent.
 */
async function presentedRefreshToken(
  deps: AuthDeps,
  bodyToken: string | undefined,
  headers: HeaderBag,
  ctx: HandlerContext,
): Promise<string | undefined> {
  if (bodyToken !== undefined) return bodyToken;
  const fromCookie = refreshTokenFromCookies(ctx.cookies);
  if (fromCookie === undefined) return undefined;
  const session = await deps.sessions.sessionOf(fromCookie);
  await checkCookieRequest(cookieDeps(deps), headers, session?.tenantId);
  return fromCookie;
}

function userOf(ctx: HandlerContext): UserCaller {
  const caller = callerOf(ctx);
  if (caller.kind !== 'user') throw new AppError('unauthenticated', 'This call needs a signed-in user');
  return caller;
}

/** A user who signed in themselves: joining, switching and invites open sessions, which impersonation may not. */
function signedInUserOf(ctx: HandlerContext): UserCaller {
  const user = userOf(ctx);
  refuseImpersonation(user, 'open a session in another tenant');
  return user;
}

/**
 * Logout (`POST /auth/logout`), for the calling user (a user token) if any:
 * - `all_sessions: true` (needs a user token): every session of the person, in every tenant, ends.
 * - `refresh_token`: that token's session ends; no access token needed (an expired one must not stop a
 *   logout). An unknown or already ended one is a 204 as well: logging out is idempotent.
 * - neither, with a user token: the token's own session ends.
 */
async function logout(
  deps: AuthDeps,
  user: UserCaller | undefined,
  body: LogoutBody,
  presented: string | undefined,
  ctx: HandlerContext,
) {
  const { client } = ctx;
  const now = deps.clock.now();
  if (body.all_sessions) {
    if (!user) throw new AppError('unauthenticated', 'Ending every session needs a user token');
    await deps.uow.transaction(async (repos) => {
      const ended = await repos.sessions.revokeOfPerson(user.personId, 'logout_all', now);
      repos.audit.record({
        action: 'auth.logout',
        actor: auditActorOf(user),
        tenantId: user.tenantId,
        target: { type: 'person', id: user.personId },
        ...client,
        details: { scope: 'all_sessions', sessions_ended: ended },
      });
    });
    return;
  }
  let sessionId: string | undefined;
  if (presented !== undefined) {
    sessionId = (await deps.sessions.sessionOf(presented))?.id;
  } else if (user) {
    sessionId = user.sessionId;
  } else {
    throw new AppError('bad_request', 'Send the refresh_token to end, or a user token');
  }
  if (!sessionId) return;
  const id = sessionId;
  await deps.uow.transaction(async (repos) => {
    const session = await repos.sessions.findSession(id);
    if (!session || !(await repos.sessions.revokeSession(id, 'logout', now))) return;
    repos.audit.record({
      action: 'auth.logout',
      actor: user ? auditActorOf(user) : { type: 'account', id: session.accountId },
      tenantId: session.tenantId,
      target: { type: 'session', id: session.id },
      ...client,
      details: { scope: 'session' },
    });
  });
}

/**
 * Sign-in's session routes, written once: the login flow (`login.ts`), refresh, logout, carrying a
 * session into another tenant (`tenant-sessions.ts`) and `GET /auth/me`.
 */
export const authHandlers = (deps: AuthDeps): AuthHandlers => ({
  /** `POST /auth/register`: the same 202 whether or not the person or the account already existed. */
  register: async ({ body }, ctx) => {
    await register(deps, body, ctx.client);
    return {
      status: 202,
      body: { accepted: true, next: body.provider === 'password' ? 'login' : 'otp_request' },
    };
  },

  requestOtp: async ({ body }, ctx) => ({
    status: 200,
    body: await requestCode({ ...deps.codes, uow: deps.uow, clock: deps.clock }, body, ctx.client),
  }),

  login: async ({ body }, ctx) => ({ status: 200, body: await login(deps, body, ctx.client) }),

  /** `POST /auth/login` with `provider: passkey` (one login flow). */
  passkeyLoginFinish: async ({ body }, ctx) => ({
    status: 200,
    body: await login(deps, { provider: 'passkey', ...body }, ctx.client),
  }),

  refresh: async (request, ctx) => {
    const { body } = request;
    const headers = headersOf(request);
    const presented = await presentedRefreshToken(deps, body.refresh_token, headers, ctx);
    if (presented === undefined) {
      throw new AppError('refresh_token_invalid', 'Send the refresh_token, or the refresh cookie');
    }
    return { status: 200, body: await deps.sessions.refresh(presented, ctx.client) };
  },

  logout: async (request, ctx) => {
    const { body } = request;
    const headers = headersOf(request);
    const user = ctx.caller?.kind === 'user' ? ctx.caller : undefined;
    const presented = body.all_sessions
      ? body.refresh_token
      : await presentedRefreshToken(deps, body.refresh_token, headers, ctx);
    await logout(deps, user, body, presented, ctx);
    // Cookie mode: the browser forgets the refresh cookie, whichever way the session ended.
    const cookies = wantsRefreshCookie(headers) ? refreshCookies(null, 0) : undefined;
    return { status: 204, body: undefined, ...(cookies ? { cookies } : {}) };
  },

  joinTenant: async ({ body }, ctx) => ({
    status: 200,
    body: await joinTenant(deps, signedInUserOf(ctx), body.tenant_code, ctx.client),
  }),

  switchTenant: async ({ body }, ctx) => ({
    status: 200,
    body: await switchTenant(deps, signedInUserOf(ctx), body.tenant_id, ctx.client),
  }),

  acceptInvite: async ({ body }, ctx) => ({
    status: 200,
    body: await acceptInvite(deps, signedInUserOf(ctx), body.code, ctx.client),
  }),

  /** `GET /auth/me`: the account as it is now (not the token's copy), its person, tenant and session. */
  me: async (_request, ctx) => {
    const user = userOf(ctx);
    return { status: 200, body: await deps.uow.read((repos) => meOf(repos, user)) };
  },

  /** `PATCH /auth/me`: the person's profile; answers as `GET /auth/me`. */
  updateMe: async ({ body }, ctx) => {
    const user = userOf(ctx);
    const changes = {
      displayName: body.display_name,
      avatarUrl: body.avatar_url,
      locale: body.locale,
      timeZone: body.time_zone,
    };
    const answer = await deps.uow.transaction(async (repos) => {
      const fields = Object.entries(body)
        .filter(([, value]) => value !== undefined)
        .map(([field]) => field);
      if (fields.length > 0) {
        await repos.persons.updateProfile(user.personId, changes);
        repos.audit.record({
          action: 'person.profile.updated',
          actor: auditActorOf(user),
          tenantId: user.tenantId,
          target: { type: 'person', id: user.personId },
          ...ctx.client,
          details: { fields },
        });
      }
      return meOf(repos, user);
    });
    return { status: 200, body: answer };
  },

  /**
   * `PATCH /auth/me/metadata`: the caller's own `user_metadata`, merged, within its size limit; answers as
   * `GET /auth/me`. No grant version bump: user metadata never feeds a decision. Audited with the fields changed.
   */
  updateMyMetadata: async ({ body }, ctx) => {
    const user = userOf(ctx);
    const answer = await deps.uow.transaction(async (repos) => {
      const account = await repos.accounts.find(user.tenantId, user.accountId, { lock: true });
      if (!account) throw new AppError('unauthenticated', 'This call needs a signed-in user');
      const userMetadata = mergeMetadata(account.metadata.userMetadata, body.user_metadata);
      assertMetadataFits('user_metadata', userMetadata);
      await repos.accounts.update(account.id, { metadata: { userMetadata } });
      repos.audit.record({
        action: 'account.user_metadata.updated',
        actor: { type: 'account', id: user.accountId },
        tenantId: user.tenantId,
        target: { type: 'account', id: user.accountId },
        ...ctx.client,
        details: { fields: Object.keys(body.user_metadata) },
      });
      return meOf(repos, user);
    });
    return { status: 200, body: answer };
  },
});

/** What `GET /auth/me` answers for a signed-in user, read now. */
async function meOf(repos: Repositories, user: UserCaller): Promise<MeResponse> {
  const account = await repos.accounts.find(user.tenantId, user.accountId);
  const person = await repos.persons.find(user.personId);
  const tenant = await repos.tenants.find(user.tenantId);
  const session = await repos.sessions.findSession(user.sessionId);
  if (!account || !person || !tenant || !session) {
    throw new AppError('unauthenticated', 'This call needs a signed-in user');
  }
  const pending = await repos.privacy.pendingOf(user.personId);
  return {
    // Their own public and user metadata; private metadata never reaches the user.
    account: accountDto({ ...account, email: person.email, groups: user.groups }, 'readable'),
    person: personView(person),
    tenant: tenantView(tenant),
    roles: [...user.roles],
    groups: [...user.groups],
    session: {
      id: session.id,
      amr: [...session.amr],
      expires_at: session.absoluteExpiresAt.toISOString(),
      ...(session.actorAccountId ? { act: { sub: session.actorAccountId } } : {}),
    },
    pending_deletion: pending ? { id: pending.id, scheduled_for: pending.scheduledFor.toISOString() } : null,
  };
}
