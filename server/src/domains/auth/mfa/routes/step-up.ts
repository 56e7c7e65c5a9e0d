import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../../context.js';
import { stepUpSession } from '../challenges.js';

/**
 * `POST /auth/mfa/step-up`: the signed-in person proves the second factor again. The session's `amr`
 * gains the factor and its `mfa_at` becomes now; the answer is a new access token for the same session
 * carrying both (the refresh token is unchanged, and later refreshes carry the new `mfa_at` too). The
 * server gives the policy `subject.attributes.mfa_at` and `mfa_age_seconds` from the token, so a rule
 * can demand a recent second factor for an action.
 */
export const stepUp: AppRouteImplementation<typeof contract.mfa.stepUp> = async ({ body, request }) => ({
  status: 200,
  body: await stepUpSession(authContext(request), requireUser(request), body),
});
