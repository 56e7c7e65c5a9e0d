import type { LogoutBody } from '@enforcer/contract';
import { Session } from '../../entities/sessions.js';
import type { UserPrincipal } from '../../http/principal.js';
import { AppError } from '../../lib/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import type { AuthRequestContext } from './context.js';

/**
 * Logout (`POST /auth/logout`), for the caller `user` (a user token) if any:
 * - `all_sessions: true` (needs a user token): every session of the person, in every tenant, ends.
 * - `refresh_token`: that token's session ends; no access token needed (an expired one must not stop a
 *   logout). An unknown or already ended one is a 204 as well: logging out is idempotent.
 * - neither, with a user token: the token's own session ends.
 * A revoked session's access tokens are refused from the next request on (the authenticate hook checks
 * the session), and its refresh tokens stop working.
 */
export async function logout(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal | undefined,
  body: LogoutBody,
): Promise<void> {
  const now = services.clock.now();

  if (body.all_sessions) {
    if (!user) throw new AppError('unauthenticated', 'Ending every session needs a user token');
    await em.transactional(async (tx) => {
      const ended = await tx.nativeUpdate(
        Session,
        { person: user.personId, revokedAt: null },
        { revokedAt: now, revokeReason: 'logout_all' },
      );
      recordAudit(tx, services.clock, {
        action: 'auth.logout',
        actor: { type: 'account', id: user.accountId },
        tenantId: user.tenantId,
        target: { type: 'person', id: user.personId },
        ...client,
        details: { scope: 'all_sessions', sessions_ended: ended },
      });
    });
    return;
  }

  let sessionId: string | undefined;
  if (body.refresh_token !== undefined) {
    sessionId = (await services.refreshTokens.sessionOf(body.refresh_token))?.id;
  } else if (user) {
    sessionId = user.sessionId;
  } else {
    throw new AppError('bad_request', 'Send the refresh_token to end, or a user token');
  }
  if (!sessionId) return;

  await em.transactional(async (tx) => {
    const session = await tx.findOne(Session, sessionId);
    if (!session) return;
    const ended = await services.sessions.endSession(tx, session.id, 'logout');
    if (!ended) return;
    recordAudit(tx, services.clock, {
      action: 'auth.logout',
      actor: { type: 'account', id: user?.accountId ?? session.account.id },
      tenantId: session.tenant.id,
      target: { type: 'session', id: session.id },
      ...client,
      details: { scope: 'session' },
    });
  });
}
