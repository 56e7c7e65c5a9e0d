import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { linkWith } from '../methods/linking.js';
import { proveSiwe } from '../methods/siwe/index.js';

/** `POST /auth/identities/siwe`: binds a wallet (a signed SIWE message) to the signed-in person. */
export const linkSiwe: AppRouteImplementation<typeof contract.auth.linkSiwe> = async ({ body, request }) => {
  const ctx = authContext(request);
  const linked = await linkWith(ctx, requireUser(request), 'siwe', (tx, tenant) =>
    proveSiwe(tx, ctx.services, tenant, body),
  );
  return { status: linked.created ? 201 : 200, body: linked.identity };
};
