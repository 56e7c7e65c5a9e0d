import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { deletePasskey as removePasskey } from '../methods/passkey/credentials.js';

/** `DELETE /auth/passkey/credentials/{id}`: one of the signed-in person's passkeys, never the last method. */
export const deletePasskey: AppRouteImplementation<typeof contract.auth.deletePasskey> = async ({
  params,
  request,
}) => {
  await removePasskey(authContext(request), requireUser(request), params.id);
  return { status: 204, body: undefined };
};
