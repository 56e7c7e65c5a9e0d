import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { listSignInMethods } from '../methods/linking.js';

/** `GET /auth/identities`: every sign-in method of the signed-in person. */
export const listIdentities: AppRouteImplementation<typeof contract.auth.identities> = async ({
  request,
}) => {
  const user = requireUser(request);
  return { status: 200, body: { data: await listSignInMethods(authContext(request).em, user.personId) } };
};
