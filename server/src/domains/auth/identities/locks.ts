import type { LinkedProvider } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Serialises everything that creates or moves one external identity (first sign-ins racing, a link
 * racing a sign-in), so the `(provider, subject)` unique constraint never turns a race into a 500.
 */
export async function lockLinkedIdentity(
  em: EntityManager,
  provider: LinkedProvider,
  subject: string,
): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [
    `enforcer:identity:${provider}:${subject}`,
  ]);
}
