import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { unlinkSignInMethod } from '../methods/linking.js';

/** `DELETE /auth/identities/{id}`: removes a linked identity or passkey, never the last sign-in method. */
export const unlinkIdentity: AppRouteImplementation<typeof contract.auth.unlinkIdentity> = async ({
  params,
  request,
}) => {
  await unlinkSignInMethod(authContext(request), requireUser(request), params.id);
  return { status: 204, body: undefined };
};
