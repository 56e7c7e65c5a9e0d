import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { describeCaller } from '../memberships.js';

/** `GET /auth/me`: the account as it is now (not the token's copy), its person, tenant and session. */
export const me: AppRouteImplementation<typeof contract.auth.me> = async ({ request }) => ({
  status: 200,
  body: await describeCaller(authContext(request).em, requireUser(request)),
});
