import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../../../context.js';
import { changePassword as change } from '../set-password.js';

/** `POST /auth/password/change`: the current password, then the new one; other sessions end. */
export const changePassword: AppRouteImplementation<typeof contract.password.change> = async ({
  body,
  request,
}) => ({ status: 200, body: await change(authContext(request), requireUser(request), body) });
