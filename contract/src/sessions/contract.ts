import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, paginated } from '../common/schemas';
import {
  accountSessionParamsSchema,
  activeSessionSchema,
  endedSessionsSchema,
  endOtherSessionsQuerySchema,
  listSessionsQuerySchema,
} from './schemas';

/**
 * The caller's own sessions (`contract.auth`: `GET /auth/sessions`, `DELETE /auth/sessions/{id}`,
 * `DELETE /auth/sessions?except=current`).
 */
export const ownSessionRoutes = c.router({
  sessions: {
    method: 'GET',
    path: '/auth/sessions',
    summary: "The signed-in person's live sessions, in every tenant",
    description:
      'Live means not ended and not past its absolute expiry. `current` marks the session of the calling token; `device` is a coarse label derived from the user agent.',
    query: listSessionsQuerySchema,
    responses: { 200: paginated(activeSessionSchema), ...problems(401, 403) },
    metadata: routeMeta('Auth')({ auth: 'user' }),
  },
  endSession: {
    method: 'DELETE',
    path: '/auth/sessions/:id',
    summary: 'End one of your sessions (its refresh token stops working)',
    description:
      "Another person's session, an unknown one and one already ended are all `404 not_found`: the answer says nothing of other people's sessions. Ending the current session is a logout.",
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404) },
    metadata: routeMeta('Auth')({ auth: 'user' }),
  },
  endOtherSessions: {
    method: 'DELETE',
    path: '/auth/sessions',
    summary: 'End every session of yours but the current one (`?except=current`), in every tenant',
    query: endOtherSessionsQuerySchema,
    body: c.noBody(),
    responses: { 200: endedSessionsSchema, ...problems(401, 403) },
    metadata: routeMeta('Auth')({ auth: 'user' }),
  },
});

const accounts = routeMeta('Accounts');

/** An account's sessions, for the tenant's admins (`contract.accounts`). */
export const accountSessionRoutes = c.router({
  listSessions: {
    method: 'GET',
    path: '/accounts/:id/sessions',
    summary: "An account's live sessions in this tenant",
    description:
      "The account must be in the caller's tenant and visible to the caller (`404` otherwise). `current` is true on the caller's own session.",
    pathParams: idParamsSchema,
    query: listSessionsQuerySchema,
    responses: { 200: paginated(activeSessionSchema), ...problems(401, 403, 404) },
    metadata: accounts({ auth: 'user_or_api_key', permission: 'sessions.read' }),
  },
  endSessions: {
    method: 'DELETE',
    path: '/accounts/:id/sessions',
    summary: 'End every session of an account (sign it out everywhere in this tenant)',
    description:
      'Nobody ends the sessions of an account whose role grants more than theirs (`403 forbidden`).',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 200: endedSessionsSchema, ...problems(401, 403, 404) },
    metadata: accounts({ auth: 'user_or_api_key', permission: 'sessions.revoke' }),
  },
  endSession: {
    method: 'DELETE',
    path: '/accounts/:id/sessions/:session_id',
    summary: 'End one session of an account',
    description:
      "A session that is not this account's, unknown or already ended is `404 not_found`. Nobody ends the sessions of an account whose role grants more than theirs (`403 forbidden`).",
    pathParams: accountSessionParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404) },
    metadata: accounts({ auth: 'user_or_api_key', permission: 'sessions.revoke' }),
  },
});
