import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext } from '../context.js';
import { registerPerson } from '../register.js';

/** `POST /auth/register`: the same 202 whether or not the person or the account already existed. */
export const register: AppRouteImplementation<typeof contract.auth.register> = async ({ body, request }) => {
  await registerPerson(authContext(request), body);
  return {
    status: 202,
    body: { accepted: true, next: body.provider === 'password' ? 'login' : 'otp_request' },
  };
};
