import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { finishPasskeyRegistration } from '../methods/passkey/registration.js';
import { toPasskeyCredential } from '../methods/passkey/webauthn.js';

/** `POST /auth/passkey/register/finish`: verifies the attestation and stores the passkey. */
export const passkeyRegisterFinish: AppRouteImplementation<
  typeof contract.auth.passkeyRegisterFinish
> = async ({ body, request }) => ({
  status: 201,
  body: toPasskeyCredential(
    await finishPasskeyRegistration(authContext(request), requireUser(request), body),
  ),
});
