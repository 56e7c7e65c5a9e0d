import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext } from '../../../context.js';
import { confirmPasswordReset } from '../set-password.js';

/** `POST /auth/password/reset/confirm`: the mailed code, then the new password; every session ends. */
export const confirmReset: AppRouteImplementation<typeof contract.password.confirmReset> = async ({
  body,
  request,
}) => ({ status: 200, body: await confirmPasswordReset(authContext(request), body) });
