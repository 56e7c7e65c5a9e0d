import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../../context.js';
import { disableTotp } from '../enrollment.js';

/**
 * `POST /auth/mfa/totp/disable`: re-authentication first: a TOTP or recovery code, and the password when
 * the person has one (a stolen session alone cannot turn MFA off). Removes the authenticator and every
 * recovery code. Wrong answers count towards the sign-in throttle.
 */
export const disable: AppRouteImplementation<typeof contract.mfa.disable> = async ({ body, request }) => ({
  status: 200,
  body: await disableTotp(authContext(request), requireUser(request), body),
});
