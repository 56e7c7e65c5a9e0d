import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext } from '../context.js';
import { signIn } from '../login.js';

/** `POST /auth/login`: the login flow (`login.ts`): the method's proof, then the same steps for all. */
export const login: AppRouteImplementation<typeof contract.auth.login> = async ({ body, request }) => ({
  status: 200,
  body: await signIn(authContext(request), body),
});

/** `POST /auth/passkey/login/finish`: `POST /auth/login` with `provider: passkey` (one login flow). */
export const passkeyLoginFinish: AppRouteImplementation<typeof contract.auth.passkeyLoginFinish> = async ({
  body,
  request,
}) => ({ status: 200, body: await signIn(authContext(request), { provider: 'passkey', ...body }) });
