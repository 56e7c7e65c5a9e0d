import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { Person } from '../../identity/entities.js';
import { Tenant } from '../../tenants/entities.js';
import { authContext } from '../context.js';
import { toTokenResponse } from '../views.js';

/**
 * `POST /auth/refresh`: rotates the refresh token (see `RefreshTokenService`): a spent token presented
 * again outside the grace window revokes the whole family (`401 refresh_token_reused`, audited there);
 * two refreshes of one token within the window get the same successor.
 */
export const refresh: AppRouteImplementation<typeof contract.auth.refresh> = async ({ body, request }) => {
  const { services, em, client } = authContext(request);
  const tokens = await services.sessions.refresh(body.refresh_token, client);
  const person = await em.findOneOrFail(Person, tokens.personId);
  const tenant = await em.findOneOrFail(Tenant, tokens.tenantId);
  return { status: 200, body: toTokenResponse(tokens, person, tenant) };
};
