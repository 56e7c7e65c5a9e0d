import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { acceptInvite as carrySession } from '../tenant-sessions.js';

/** `POST /auth/invites/accept`: takes an invite to the person's verified email, with a session there. */
export const acceptInvite: AppRouteImplementation<typeof contract.auth.acceptInvite> = async ({
  body,
  request,
}) => ({
  status: 200,
  body: await carrySession(authContext(request), requireUser(request), body),
});
