import type { LinkedProvider } from '@enforcer/contract';
import type { IdentityRecord, IdentityStore, PersonProfile, PersonRecord, PersonStore } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type IPerson, Person } from '../../entities/accounts.js';
import { type IPersonIdentity, PersonIdentity } from '../../entities/identities.js';
import type { Clock } from '../../lib/clock.js';

export const personRecord = (p: IPerson): PersonRecord => ({
  id: p.id,
  email: p.email ?? null,
  emailVerifiedAt: p.emailVerifiedAt ?? null,
  createdAt: p.createdAt,
  profile: {
    displayName: p.displayName ?? null,
    avatarUrl: p.avatarUrl ?? null,
    locale: p.locale ?? null,
    timeZone: p.timeZone ?? null,
  },
});

const identityRecord = (i: IPersonIdentity): IdentityRecord => ({
  id: i.id,
  personId: i.person.id,
  provider: i.provider as LinkedProvider,
  subject: i.subject,
  email: i.email ?? null,
  verifiedAt: i.verifiedAt,
  createdAt: i.createdAt,
  lastUsedAt: i.lastUsedAt ?? null,
});

/** A transaction-scoped advisory lock on a key (released at commit or rollback). */
const advisoryLock = (em: EntityManager, key: string) =>
  em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [key]);

/** Persons, in the unit's transaction; creation is serialised by advisory locks on the email. */
export class PostgresPersonStore implements PersonStore {
  readonly #em: EntityManager;
  readonly #clock: Clock;

  constructor(em: EntityManager, clock: Clock) {
    this.#em = em;
    this.#clock = clock;
  }

  async find(id: string) {
    const person = await this.#em.findOne(Person, id);
    return person ? personRecord(person) : null;
  }

  async findByEmail(email: string) {
    const person = await this.#em.findOne(Person, { email });
    return person ? personRecord(person) : null;
  }

  async lock(key: string): Promise<void> {
    // The key the server's sign-in flow has always used (`lockIdentity`), so both serialise together.
    await advisoryLock(this.#em, `enforcer:person:${key}`);
  }

  async create(input: { email: string | null; emailVerifiedAt: Date | null }) {
    const person = this.#em.create(Person, { ...input, createdAt: this.#clock.now() });
    await this.#em.flush();
    return personRecord(person);
  }

  async markEmailVerified(personId: string, at: Date): Promise<void> {
    const person = await this.#em.findOneOrFail(Person, personId);
    person.emailVerifiedAt = at;
    await this.#em.flush();
  }

  async adoptEmail(personId: string, email: string, at: Date): Promise<void> {
    const person = await this.#em.findOneOrFail(Person, personId);
    person.email = email;
    person.emailVerifiedAt = at;
    await this.#em.flush();
  }

  async updateProfile(personId: string, changes: Partial<PersonProfile>): Promise<void> {
    const person = await this.#em.findOneOrFail(Person, personId);
    for (const [field, value] of Object.entries(changes) as [
      keyof PersonProfile,
      string | null | undefined,
    ][]) {
      if (value !== undefined) person[field] = value;
    }
    await this.#em.flush();
  }
}

/** Linked identities, in the unit's transaction. */
export class PostgresIdentityStore implements IdentityStore {
  readonly #em: EntityManager;
  readonly #clock: Clock;

  constructor(em: EntityManager, clock: Clock) {
    this.#em = em;
    this.#clock = clock;
  }

  async lock(provider: LinkedProvider, subject: string): Promise<void> {
    await advisoryLock(this.#em, `enforcer:identity:${provider}:${subject}`);
  }

  async findBySubject(provider: LinkedProvider, subject: string) {
    const identity = await this.#em.findOne(PersonIdentity, { provider, subject });
    return identity ? identityRecord(identity) : null;
  }

  async ofPerson(personId: string) {
    const rows = await this.#em.find(
      PersonIdentity,
      { person: personId },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return rows.map(identityRecord);
  }

  async create(input: Omit<IdentityRecord, 'id' | 'createdAt'>) {
    const identity = this.#em.create(PersonIdentity, {
      person: this.#em.getReference(Person, input.personId),
      provider: input.provider,
      subject: input.subject,
      email: input.email,
      verifiedAt: input.verifiedAt,
      lastUsedAt: input.lastUsedAt,
      createdAt: this.#clock.now(),
    });
    await this.#em.flush();
    return identityRecord(identity);
  }

  async touch(id: string, changes: { lastUsedAt: Date; email?: string | null }): Promise<void> {
    const identity = await this.#em.findOneOrFail(PersonIdentity, id);
    identity.lastUsedAt = changes.lastUsedAt;
    if (changes.email !== undefined) identity.email = changes.email;
    await this.#em.flush();
  }

  async delete(id: string): Promise<void> {
    await this.#em.nativeDelete(PersonIdentity, { id });
  }
}
