import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { joinTenant as carrySession } from '../tenant-sessions.js';

/** `POST /auth/tenant/join`: joins a tenant that allows sign-up, as a `member`, with a session there. */
export const joinTenant: AppRouteImplementation<typeof contract.auth.joinTenant> = async ({
  body,
  request,
}) => ({
  status: 200,
  body: await carrySession(authContext(request), requireUser(request), body),
});
