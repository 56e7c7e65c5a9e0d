import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { listMethods } from '../../../identities/methods.js';
import { Person } from '../../../identity/entities.js';
import { authContext, requireUser } from '../../context.js';

/** `GET /auth/identities`: every sign-in method of the signed-in person. */
export const listIdentities: AppRouteImplementation<typeof contract.auth.identities> = async ({
  request,
}) => {
  const user = requireUser(request);
  const { em } = authContext(request);
  const person = await em.findOneOrFail(Person, user.personId);
  return { status: 200, body: { data: await listMethods(em, person) } };
};
