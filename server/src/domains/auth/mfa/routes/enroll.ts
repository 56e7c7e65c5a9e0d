import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../../context.js';
import { enrollTotp } from '../enrollment.js';

/**
 * `POST /auth/mfa/totp/enroll`: a new secret (160 bits from the CSPRNG), stored sealed and pending until
 * a code confirms it. Starting again replaces a pending secret; an enabled one must be disabled first.
 * The answer is the only time the secret leaves the server.
 */
export const enroll: AppRouteImplementation<typeof contract.mfa.enroll> = async ({ request }) => ({
  status: 200,
  body: await enrollTotp(authContext(request), requireUser(request)),
});
