import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../../context.js';
import { renewRecoveryCodes } from '../enrollment.js';

/** `POST /auth/mfa/recovery-codes/regenerate`: a TOTP or recovery code, then ten new codes (the old ones die). */
export const regenerateRecoveryCodes: AppRouteImplementation<
  typeof contract.mfa.regenerateRecoveryCodes
> = async ({ body, request }) => ({
  status: 200,
  body: await renewRecoveryCodes(authContext(request), requireUser(request), body),
});
