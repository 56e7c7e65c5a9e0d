import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { listPasskeys } from '../methods/passkey/credentials.js';
import { toPasskeyCredential } from '../methods/passkey/webauthn.js';

/** `GET /auth/passkey/credentials`: the signed-in person's passkeys. */
export const passkeyCredentials: AppRouteImplementation<typeof contract.auth.passkeyCredentials> = async ({
  request,
}) => {
  const rows = await listPasskeys(authContext(request).em, requireUser(request).personId);
  return { status: 200, body: { data: rows.map(toPasskeyCredential) } };
};
