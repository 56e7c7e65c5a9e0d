import type { FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';
import type { Principal } from './principal.js';

/** The authenticated caller of a route whose `metadata.auth` is not `none` (set by the preHandler). */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthenticated', 'This call needs a credential');
  return request.principal;
}

/** Who did it, for audit events (an `AuditActor`): the account of a user token, or the API key. */
export const auditActor = (principal: Principal): { type: 'account' | 'api_key'; id: string } =>
  principal.kind === 'user'
    ? { type: 'account', id: principal.accountId }
    : { type: 'api_key', id: principal.apiKeyId };

/** The client's address and agent, for audit events. */
export const clientInfo = (request: FastifyRequest): { ip: string; userAgent: string | null } => ({
  ip: request.ip,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
});

/** The account id of a user caller, or null for an API key. */
export const callerAccountId = (principal: Principal): string | null =>
  principal.kind === 'user' ? principal.accountId : null;
