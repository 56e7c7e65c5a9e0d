import {
  Challenges,
  type GoogleIdTokenVerifier,
  type IdentityHandlerDeps,
  type OtpService,
  type PersonPasskeys,
  type PrivyTokenVerifier,
  type RandomSource,
  type Repositories,
  type UnitOfWork,
} from '@enforcer/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { PasskeyCredential } from '../../entities/passkeys.js';
import type { Clock } from '../../lib/clock.js';
import { PostgresOtpChallengeStore } from './codes.js';
import type { PostgresUnitOfWork } from './unit-of-work.js';

/** What the core's identity handlers use of the app's services. */
export interface IdentityServices {
  orm: MikroORM;
  uow: Pick<PostgresUnitOfWork, 'within'>;
  clock: Clock;
  random: RandomSource;
  google: GoogleIdTokenVerifier;
  privy: PrivyTokenVerifier;
  toleranceSeconds: number;
  otpService: OtpService;
}

/**
 * Transitional: the entity manager behind repositories, for the rows the identity rules reach that have no
 * port yet (passkeys, one-time codes). Goes when those are ports.
 */
const managers = new WeakMap<Repositories, EntityManager>();

function entityManagerOf(repos: Repositories): EntityManager {
  const em = managers.get(repos);
  if (!em) throw new Error('identities: repositories not made by identityUnitOfWork');
  return em;
}

function identityUnitOfWork(services: Pick<IdentityServices, 'orm' | 'uow'>): UnitOfWork {
  const tracked = (em: EntityManager) => {
    const repos = services.uow.within(em);
    managers.set(repos, em);
    return repos;
  };
  return {
    transaction: (work) => services.orm.em.fork().transactional((em) => work(tracked(em))),
    read: (work) => work(tracked(services.orm.em.fork())),
  };
}

/** The person's passkeys over the server's rows, in the unit of work's transaction. */
const passkeys: PersonPasskeys = {
  async ofPerson(repos, personId) {
    const rows = await entityManagerOf(repos).find(
      PasskeyCredential,
      { person: personId },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return rows.map((row) => ({
      id: row.id,
      credentialId: row.credentialId,
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt ?? null,
    }));
  },
  async delete(repos, id) {
    await entityManagerOf(repos).nativeDelete(PasskeyCredential, { id });
  },
};

/** The unit of work and dependencies of the core's identity handlers (`identityHandlers`). */
export interface IdentityWiring {
  uow: UnitOfWork;
  deps: IdentityHandlerDeps;
}

export function identityWiring(services: IdentityServices): IdentityWiring {
  return {
    uow: identityUnitOfWork(services),
    deps: {
      clock: services.clock,
      challenges: new Challenges({ clock: services.clock, random: services.random }),
      google: services.google,
      privy: services.privy,
      toleranceSeconds: services.toleranceSeconds,
      otp: services.otpService,
      codesIn: (repos) => new PostgresOtpChallengeStore({ tx: entityManagerOf(repos) }),
      passkeys,
    },
  };
}
