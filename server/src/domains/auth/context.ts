import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppError } from '../../lib/errors.js';

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
