import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext } from '../context.js';
import { issueSiweNonce } from '../methods/siwe/nonce.js';

/** `POST /auth/siwe/nonce`: a single-use nonce for one SIWE message to the tenant. */
export const siweNonce: AppRouteImplementation<typeof contract.auth.siweNonce> = async ({
  body,
  request,
}) => ({ status: 200, body: await issueSiweNonce(authContext(request), body) });
