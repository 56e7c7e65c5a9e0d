import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../context.js';
import { linkWith } from '../methods/linking.js';
import { provePhone } from '../methods/phone-otp/index.js';

/** `POST /auth/identities/phone`: binds a phone number, proven by a code from `POST /auth/otp/request` without a tenant code, to the signed-in person. */
export const linkPhone: AppRouteImplementation<typeof contract.auth.linkPhone> = async ({
  body,
  request,
}) => {
  const ctx = authContext(request);
  const linked = await linkWith(ctx, requireUser(request), 'phone_otp', (tx) =>
    provePhone(tx, ctx.services, body),
  );
  return { status: linked.created ? 201 : 200, body: linked.identity };
};
