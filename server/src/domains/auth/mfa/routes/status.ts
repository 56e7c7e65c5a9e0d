import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../../context.js';
import { mfaStatus } from '../enrollment.js';

/** `GET /auth/mfa`. */
export const status: AppRouteImplementation<typeof contract.mfa.status> = async ({ request }) => {
  const { services, em } = authContext(request);
  return { status: 200, body: await mfaStatus(em, services.mfa, requireUser(request).personId) };
};
