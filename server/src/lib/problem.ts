import { buildProblem, type Problem, problemContentType, problemTitle } from '@enforcer/contract';
import type { FastifyReply } from 'fastify';

/** The problem builder and titles live in @enforcer/contract (shared with the MSW mock). */
export { buildProblem as problem, problemTitle };

/** Sends a problem as `application/problem+json` with its status. */
export function sendProblem(
  reply: FastifyReply,
  body: Problem,
  headers: Record<string, string> = {},
): FastifyReply {
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.status(body.status).type(problemContentType).send(JSON.stringify(body));
}
