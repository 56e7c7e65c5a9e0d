import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { type ITenant, Tenant } from '../../entities/tenants.js';
import type { UserPrincipal } from '../../http/principal.js';
import { AppError } from '../../lib/errors.js';
import type { ClientInfo } from '../tokens/session-tokens.js';

/** What an auth handler works with: the services, a fresh entity manager, the client. */
export interface AuthRequestContext {
  /** The app's services (`app.services`, built by `createServices`). */
  services: FastifyRequest['server']['services'];
  em: EntityManager;
  client: ClientInfo;
}

export function authContext(request: FastifyRequest): AuthRequestContext {
  const services = request.server.services;
  return {
    services,
    em: services.orm.em.fork() as EntityManager,
    client: clientInfo(request),
  };
}

/** The client's address (honouring TRUST_PROXY) and user agent, for sessions and audit events. */
export const clientInfo = (request: FastifyRequest): ClientInfo => {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null,
  };
};

/** The signed-in user. Routes with `auth: 'user'` always have one (the authenticate hook made sure). */
export function requireUser(request: FastifyRequest): UserPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'user') throw new AppError('unauthenticated', 'This call needs a signed-in user');
  return principal;
}

/** The tenant with this (normalised) code, or `404 not_found`. */
export async function tenantByCode(em: EntityManager, code: string): Promise<ITenant> {
  const tenant = await em.findOne(Tenant, { code });
  if (!tenant) throw new AppError('not_found', 'No tenant has this code');
  return tenant;
}

/** A failure decided inside a transaction whose writes (counted attempts, audit events) must commit. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Runs `work` in a transaction, commits, then returns its value or throws its refusal. */
export async function committed<T>(em: EntityManager, work: (tx: EntityManager) => Promise<Outcome<T>>) {
  const outcome = await em.transactional(work);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

export const refuse = (error: AppError): { ok: false; error: AppError } => ({ ok: false, error });
export const success = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
