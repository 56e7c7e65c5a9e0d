import type { FastifyRequest } from 'fastify';

/** The client's address and agent, for audit events. */
export const clientInfo = (request: FastifyRequest): { ip: string; userAgent: string | null } => ({
  ip: request.ip,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
});
