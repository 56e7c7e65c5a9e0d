import { c, routeMeta } from '../common/route';
import { livenessSchema, readinessSchema } from './schemas';

const meta = routeMeta('Health');

/** Probes. Like discovery, the server may also mount these at the root (`healthContract` has no prefix). */
export const healthContract = c.router({
  live: {
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness: the process is up',
    responses: { 200: livenessSchema },
    metadata: meta({ auth: 'none' }),
  },
  ready: {
    method: 'GET',
    path: '/readyz',
    summary: 'Readiness: the database and signing keys are usable (503 when not)',
    responses: { 200: readinessSchema },
    metadata: meta({ auth: 'none' }),
  },
});
