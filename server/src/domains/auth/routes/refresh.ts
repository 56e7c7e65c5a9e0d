import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext } from '../context.js';
import { refreshSession } from '../sign-in.js';

/** `POST /auth/refresh`: rotates the refresh token; reuse outside the grace window revokes the family. */
export const refresh: AppRouteImplementation<typeof contract.auth.refresh> = async ({ body, request }) => {
  const { services, em, client } = authContext(request);
  return { status: 200, body: await refreshSession(em, services, body.refresh_token, client) };
};
