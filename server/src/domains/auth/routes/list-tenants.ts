import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { listMemberships } from '../memberships.js';

/** `GET /auth/tenants`: the person's memberships, oldest first; `current` marks the token's tenant. */
export const listTenants: AppRouteImplementation<typeof contract.auth.tenants> = async ({
  query,
  request,
}) => ({ status: 200, body: await listMemberships(authContext(request).em, requireUser(request), query) });
