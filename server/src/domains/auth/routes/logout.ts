import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext } from '../context.js';
import { logout as endSessions } from '../logout.js';

/** `POST /auth/logout`: ends the caller's session, a refresh token's, or every session of the person. */
export const logout: AppRouteImplementation<typeof contract.auth.logout> = async ({ body, request }) => {
  const user = request.principal?.kind === 'user' ? request.principal : undefined;
  await endSessions(authContext(request), user, body);
  return { status: 204, body: undefined };
};
