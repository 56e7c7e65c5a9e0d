import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';

/**
 * An entity manager made on first use: a request whose principal and policy are cached
 * touches the database not at all, and need not pay for a fork either.
 */
export type LazyEm = () => EntityManager;
export function lazyEm(services: { orm: MikroORM }): LazyEm {
  let em: EntityManager | undefined;
  return () => {
    em ??= services.orm.em.fork();
    return em;
  };
}
