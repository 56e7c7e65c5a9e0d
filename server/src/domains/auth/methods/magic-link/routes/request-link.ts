import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext } from '../../../context.js';
import { requestMagicLink } from '../request-link.js';

/** `POST /auth/magic-link/request`: mails a sign-in link; the same answer for every well-formed email. */
export const requestLink: AppRouteImplementation<typeof contract.magicLink.request> = async ({
  body,
  request,
}) => ({ status: 200, body: await requestMagicLink(authContext(request), body, request.log) });
