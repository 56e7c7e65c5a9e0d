import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext } from '../../context.js';
import { verifySecondFactor } from '../challenges.js';

/**
 * `POST /auth/mfa/verify`: finishes a sign-in that answered `401 mfa_required`. The challenge (found by
 * the SHA-256 of its token, locked) must be live; the code is a TOTP code (not one already used in its
 * time step) or a recovery code (spent). A wrong code counts on the challenge (5 burn it) and on the
 * sign-in throttle. A right one spends the challenge and opens the session with the first factor's
 * `amr` plus `totp`/`recovery_code` and `mfa`, and `mfa_at` = now.
 */
export const verify: AppRouteImplementation<typeof contract.mfa.verify> = async ({ body, request }) => ({
  status: 200,
  body: await verifySecondFactor(authContext(request), body),
});
