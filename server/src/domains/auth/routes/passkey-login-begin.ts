import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext } from '../context.js';
import { beginPasskeyLogin } from '../methods/passkey/login-begin.js';

/** `POST /auth/passkey/login/begin`: request options and a challenge for the tenant's relying party. */
export const passkeyLoginBegin: AppRouteImplementation<typeof contract.auth.passkeyLoginBegin> = async ({
  body,
  request,
}) => ({ status: 200, body: await beginPasskeyLogin(authContext(request), body) });
