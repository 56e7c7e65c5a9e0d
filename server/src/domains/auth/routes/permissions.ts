import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { subjectOf } from '../../policy/tenant-policy.js';
import { authContext, requireUser } from '../context.js';

/**
 * `GET /auth/permissions`: what a client needs to run `can()` / `plan()` locally with the same engine:
 * the permission patterns the caller's role and groups grant, the policy subject, and the tenant's
 * EFFECTIVE policy document (stored document + groups) with its ETag.
 */
export const permissions: AppRouteImplementation<typeof contract.auth.permissions> = async ({ request }) => {
  const user = requireUser(request);
  const { services, em } = authContext(request);
  const policy = await services.policies.forPrincipal(em, user);
  const { grant } = user;
  const subject = { ...subjectOf(grant), attributes: user.attributes };
  return {
    status: 200,
    body: {
      permissions: policy.compiled.permissions(subject),
      subject: {
        id: grant.accountId,
        person_id: grant.personId,
        tenant_id: grant.tenantId,
        roles: [...grant.roles],
        groups: [...grant.groups],
        attributes: { ...user.attributes },
      },
      policy: policy.effective,
      policy_etag: policy.etag,
    },
  };
};
