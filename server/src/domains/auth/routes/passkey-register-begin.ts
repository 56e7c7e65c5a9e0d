import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { beginPasskeyRegistration } from '../methods/passkey/registration.js';

/** `POST /auth/passkey/register/begin` (signed in): creation options for a new passkey. */
export const passkeyRegisterBegin: AppRouteImplementation<
  typeof contract.auth.passkeyRegisterBegin
> = async ({ body, request }) => ({
  status: 200,
  body: await beginPasskeyRegistration(authContext(request), requireUser(request), body),
});
