import type { FastifyRequest } from 'fastify';

/** The client's address and agent and the request's id, for audit events. */
export const clientInfo = (
  request: FastifyRequest,
): { ip: string; userAgent: string | null; requestId: string } => ({
  ip: request.ip,
  requestId: request.id,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
});
