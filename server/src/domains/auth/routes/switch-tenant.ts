import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { switchTenant as carrySession } from '../tenant-sessions.js';

/** `POST /auth/tenant/switch`: a new session in another tenant where the person has an active account. */
export const switchTenant: AppRouteImplementation<typeof contract.auth.switchTenant> = async ({
  body,
  request,
}) => ({
  status: 200,
  body: await carrySession(authContext(request), requireUser(request), body),
});
