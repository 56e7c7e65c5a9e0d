import type { PasswordRecord, PasswordStore } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Person } from '../../entities/accounts.js';
import { type IPasswordCredential, PasswordCredential } from '../../entities/passwords.js';

const passwordRecord = (c: IPasswordCredential): PasswordRecord => ({
  personId: c.person.id,
  hash: c.hash,
  createdAt: c.createdAt,
  changedAt: c.changedAt,
});

/** Passwords over `password_credential` (one row per person), in the unit's transaction. */
export class PostgresPasswordStore implements PasswordStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async find(personId: string): Promise<PasswordRecord | null> {
    const row = await this.#em.findOne(PasswordCredential, { person: personId });
    return row ? passwordRecord(row) : null;
  }

  async set(personId: string, hash: string, at: Date): Promise<void> {
    const row = await this.#em.findOne(PasswordCredential, { person: personId });
    if (row) {
      row.hash = hash;
      row.changedAt = at;
    } else {
      this.#em.create(PasswordCredential, {
        person: this.#em.getReference(Person, personId),
        hash,
        createdAt: at,
        changedAt: at,
      });
    }
    await this.#em.flush();
  }

  async rehash(personId: string, hash: string): Promise<void> {
    await this.#em.nativeUpdate(PasswordCredential, { person: personId }, { hash });
  }

  async delete(personId: string): Promise<boolean> {
    return (await this.#em.nativeDelete(PasswordCredential, { person: personId })) > 0;
  }
}
