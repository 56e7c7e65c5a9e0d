import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { proveGoogle } from '../methods/google/index.js';
import { linkWith } from '../methods/linking.js';

/** `POST /auth/identities/google`: binds a Google account (an ID token for the tenant's client ids) to the signed-in person. */
export const linkGoogle: AppRouteImplementation<typeof contract.auth.linkGoogle> = async ({
  body,
  request,
}) => {
  const ctx = authContext(request);
  const linked = await linkWith(ctx, requireUser(request), 'google', (tx, tenant) =>
    proveGoogle(tx, ctx.services, tenant, body),
  );
  return { status: linked.created ? 201 : 200, body: linked.identity };
};
