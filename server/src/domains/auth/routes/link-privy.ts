import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { linkWith } from '../methods/linking.js';
import { provePrivy } from '../methods/privy/index.js';

/** `POST /auth/identities/privy`: binds a Privy user (an access token of the tenant's Privy app) to the signed-in person. */
export const linkPrivy: AppRouteImplementation<typeof contract.auth.linkPrivy> = async ({
  body,
  request,
}) => {
  const ctx = authContext(request);
  const linked = await linkWith(ctx, requireUser(request), 'privy', (_tx, tenant) =>
    provePrivy(ctx.services, tenant, body.token),
  );
  return { status: linked.created ? 201 : 200, body: linked.identity };
};
