import { c, problems, routeMeta } from '../common/route';
import { revocationFeedSchema, revocationsQuerySchema } from './schemas';

const meta = routeMeta('Revocations');

export const revocationsContract = c.router({
  feed: {
    method: 'GET',
    path: '/revocations',
    summary: 'Sessions revoked and accounts whose grant changed since a cursor (for offline verifiers)',
    description:
      'Polled by `@enforcer/node-verifier` (every few seconds) so a logout, a revoked session or a change of role, groups or active flag takes effect offline within the poll interval. Without `cursor`, the changes of the last `retention_seconds`; then pass back `next_cursor`. Changes of transactions still running are held back until they commit, so a cursor never skips one.',
    query: revocationsQuerySchema,
    responses: { 200: revocationFeedSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'api_key', permission: 'revocations.read' }),
  },
});
