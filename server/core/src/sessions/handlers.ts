import type { ActiveSession, contract } from '@enforcer/contract';
import type { AccountRecord } from '../accounts/ports.js';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import { auditActorOf, type Caller, type UserCaller } from '../caller.js';
import { AppError } from '../errors.js';
import { pageRequest, toPage } from '../pagination.js';
import type { Clock } from '../platform.js';
import { assertRolesWithinReach, requireAllowed } from '../policy/grants.js';
import { callerPolicy } from '../policy/handlers.js';
import { accountResource } from '../policy/resources.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { deviceLabel } from './device.js';
import type { SessionRecord } from './ports.js';

export interface SessionHandlerDeps {
  uow: UnitOfWork;
  clock: Clock;
}

/** Why a session ended, as stored on it (`revoke_reason`). */
export const sessionEndReasons = {
  /** Its person ended it (`DELETE /auth/sessions/{id}` or `?except=current`). */
  self: 'ended_by_user',
  /** An admin ended it (`DELETE /accounts/{id}/sessions[/{session_id}]`). */
  admin: 'ended_by_admin',
} as const;

/** A session as the API shows it; `currentId` is the calling token's session (none for an API key). */
export const sessionView = (session: SessionRecord, currentId: string | null): ActiveSession => ({
  id: session.id,
  tenant_id: session.tenantId,
  account_id: session.accountId,
  created_at: session.createdAt.toISOString(),
  last_used_at: session.lastUsedAt.toISOString(),
  expires_at: session.absoluteExpiresAt.toISOString(),
  amr: [...session.amr],
  user_agent: session.userAgent,
  ip: session.ip,
  device: deviceLabel(session.userAgent),
  current: session.id === currentId,
  ...(session.actorAccountId ? { act: { sub: session.actorAccountId } } : {}),
});

/**
 * What an audit event says of the sessions a change ended: how many, their ids and why. The webhook
 * catalogue turns each id into a `session.ended` event (webhooks/events.ts), written with the audit event
 * in the transaction of the change.
 */
export const endedSessionsDetails = (ids: readonly string[], reason: string) => ({
  sessions_ended: ids.length,
  session_ids: [...ids],
  session_end_reason: reason,
});

const isLive = (session: SessionRecord, now: Date) => !session.revokedAt && session.absoluteExpiresAt > now;

const noSuchSession = () => new AppError('not_found', 'No such session');

/**
 * Ends a live session that `mine` accepts, in the caller's unit of work; an unknown one, an ended one and
 * one `mine` refuses are the same `404 not_found` (nobody learns of other people's sessions).
 */
async function endLiveSession(
  repos: Repositories,
  now: Date,
  id: string,
  reason: string,
  mine: (session: SessionRecord) => boolean,
): Promise<SessionRecord> {
  const session = await repos.sessions.findSession(id);
  if (!session || !mine(session) || !isLive(session, now)) throw noSuchSession();
  if (!(await repos.sessions.revokeSession(session.id, reason, now))) throw noSuchSession();
  return session;
}

function userOf(ctx: HandlerContext): UserCaller {
  const caller = callerOf(ctx);
  if (caller.kind !== 'user') {
    throw new AppError('credential_not_allowed', 'This call needs a signed-in user');
  }
  return caller;
}

const currentSessionOf = (caller: Caller): string | null =>
  caller.kind === 'user' ? caller.sessionId : null;

/**
 * The caller's own sessions, across the person's tenants (as `POST /auth/logout` with `all_sessions` ends
 * them): list them, end one, end all but the current one. A session that is not the caller's person's is
 * answered exactly like an unknown one (404), so nobody learns of other people's sessions.
 */
export const ownSessionsHandlers = (
  deps: SessionHandlerDeps,
): Pick<Handlers<typeof contract.auth>, 'sessions' | 'endSession' | 'endOtherSessions'> => ({
  sessions: async ({ query }, ctx) => {
    const user = userOf(ctx);
    const rows = await deps.uow.read((repos) =>
      repos.sessions.listLive({ personId: user.personId }, { ...pageRequest(query), now: deps.clock.now() }),
    );
    return { status: 200, body: toPage(rows, query.limit, (s) => sessionView(s, user.sessionId)) };
  },

  endSession: async ({ params }, ctx) => {
    const user = userOf(ctx);
    await deps.uow.transaction(async (repos) => {
      const session = await endLiveSession(
        repos,
        deps.clock.now(),
        params.id,
        sessionEndReasons.self,
        (found) => found.personId === user.personId,
      );
      repos.audit.record({
        action: 'auth.session.ended',
        // The person's account in the session's tenant: the event lands in that tenant's log.
        actor: {
          type: 'account',
          id: session.accountId,
          ...(user.actorAccountId ? { impersonator: user.actorAccountId } : {}),
        },
        tenantId: session.tenantId,
        target: { type: 'session', id: session.id },
        ...ctx.client,
        details: { scope: 'session', current: session.id === user.sessionId },
      });
    });
    return { status: 204, body: undefined };
  },

  endOtherSessions: async (_request, ctx) => {
    const user = userOf(ctx);
    const ended = await deps.uow.transaction(async (repos) => {
      const count = await repos.accountSessions.endAllOfPerson(
        user.personId,
        sessionEndReasons.self,
        user.sessionId,
      );
      repos.audit.record({
        action: 'auth.session.ended',
        actor: auditActorOf(user),
        tenantId: user.tenantId,
        target: { type: 'person', id: user.personId },
        ...ctx.client,
        details: { scope: 'other_sessions', sessions_ended: count },
      });
      return count;
    });
    return { status: 200, body: { sessions_ended: ended } };
  },
});

/**
 * The account an admin session call is about: in the caller's tenant and visible to the caller (404
 * otherwise), `action` allowed on it (403 otherwise); for ending sessions, not outranking the caller
 * (nobody signs out someone who holds more than they do, as nobody changes their role).
 */
async function sessionsTarget(
  repos: Repositories,
  caller: Caller,
  id: string,
  action: 'sessions.read' | 'sessions.revoke',
): Promise<AccountRecord> {
  const policy = await callerPolicy(repos, caller);
  const account = await repos.accounts.find(caller.tenantId, id);
  if (!account) throw new AppError('not_found', 'No such account');
  requireAllowed(policy, caller, {
    action,
    readAction: 'accounts.read',
    resource: accountResource(account),
    what: 'account',
  });
  if (action === 'sessions.revoke') assertRolesWithinReach(policy, caller, account);
  return account;
}

/**
 * An account's sessions, for its tenant's admins: `GET /accounts/{id}/sessions` [`sessions.read`],
 * `DELETE /accounts/{id}/sessions` and `DELETE /accounts/{id}/sessions/{session_id}` [`sessions.revoke`].
 * Ending sessions is audited (`account.sessions.ended`) and reaches the revocation feed.
 */
export const accountSessionsHandlers = (
  deps: SessionHandlerDeps,
): Pick<Handlers<typeof contract.accounts>, 'listSessions' | 'endSessions' | 'endSession'> => ({
  listSessions: async ({ params, query }, ctx) => {
    const caller = callerOf(ctx);
    const rows = await deps.uow.read(async (repos) => {
      const account = await sessionsTarget(repos, caller, params.id, 'sessions.read');
      return repos.sessions.listLive(
        { accountId: account.id },
        { ...pageRequest(query), now: deps.clock.now() },
      );
    });
    const current = currentSessionOf(caller);
    return { status: 200, body: toPage(rows, query.limit, (s) => sessionView(s, current)) };
  },

  endSessions: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    const ended = await deps.uow.transaction(async (repos) => {
      const account = await sessionsTarget(repos, caller, params.id, 'sessions.revoke');
      const ids = await repos.accountSessions.endAll(account.id, sessionEndReasons.admin);
      repos.audit.record({
        action: 'account.sessions.ended',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
        details: { scope: 'all', ...endedSessionsDetails(ids, sessionEndReasons.admin) },
      });
      return ids.length;
    });
    return { status: 200, body: { sessions_ended: ended } };
  },

  endSession: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    await deps.uow.transaction(async (repos) => {
      const account = await sessionsTarget(repos, caller, params.id, 'sessions.revoke');
      const session = await endLiveSession(
        repos,
        deps.clock.now(),
        params.session_id,
        sessionEndReasons.admin,
        (found) => found.accountId === account.id,
      );
      repos.audit.record({
        action: 'account.sessions.ended',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
        details: { scope: 'session', session_id: session.id },
      });
    });
    return { status: 204, body: undefined };
  },
});
