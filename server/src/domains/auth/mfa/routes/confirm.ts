import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../../context.js';
import { confirmTotp } from '../enrollment.js';

/**
 * `POST /auth/mfa/totp/confirm`: the first code from the app proves it holds the secret. MFA is on from
 * now on, for every tenant of the person; ten recovery codes are answered once (any older ones stop
 * working). A wrong code counts towards the sign-in throttle.
 */
export const confirm: AppRouteImplementation<typeof contract.mfa.confirm> = async ({ body, request }) => ({
  status: 200,
  body: await confirmTotp(authContext(request), requireUser(request), body),
});
