import { c, problems, routeMeta } from '../common/route';
import { policyDocumentSchema } from '../policy/schema';
import {
  authorizeBatchBodySchema,
  authorizeBatchResponseSchema,
  authorizeBodySchema,
  authorizeResponseSchema,
  filterBodySchema,
  filterResponseSchema,
  policyResponseSchema,
  putPolicyHeaders,
} from './schemas';

const meta = routeMeta('Policy');

export const policyContract = c.router({
  get: {
    method: 'GET',
    path: '/policy',
    summary: "The tenant's policy document and its ETag",
    responses: { 200: policyResponseSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'policy.read' }),
  },
  put: {
    method: 'PUT',
    path: '/policy',
    summary: "Replace the tenant's policy document",
    description:
      'The document is validated and compiled before it is stored; one that does not compile is `400 invalid_policy` and nothing changes. With `If-Match`, a stale ETag is `412 precondition_failed`.',
    headers: putPolicyHeaders,
    body: policyDocumentSchema,
    responses: { 200: policyResponseSchema, ...problems(401, 403, 409, 412) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'policy.update' }),
  },
  authorize: {
    method: 'POST',
    path: '/authorize',
    summary: 'May the subject do this action (to this resource)? With the reason',
    description:
      'The subject is the caller; `account_id` names another account of the tenant (needs an API key or the `authorize.any` permission). A denial is a 200 with `allowed: false`, not an error.',
    body: authorizeBodySchema,
    responses: { 200: authorizeResponseSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', clientToken: true }),
  },
  batch: {
    method: 'POST',
    path: '/authorize/batch',
    summary: 'Many checks for one subject in one call, answered in order',
    description:
      'Up to 100 `{ action, resource }` checks for the caller (or `account_id`, with the same rules as `POST /authorize`). `results[i]` is what `POST /authorize` answers for `checks[i]`. The subject is resolved once: a refusal (an unknown or inactive `account_id`, a missing permission) refuses the whole batch.',
    body: authorizeBatchBodySchema,
    responses: { 200: authorizeBatchResponseSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', clientToken: true }),
  },
  filter: {
    method: 'POST',
    path: '/authorize/filter',
    summary: 'Which records of a type may the subject act on? A plan to turn into a query',
    body: filterBodySchema,
    responses: { 200: filterResponseSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', clientToken: true }),
  },
});
