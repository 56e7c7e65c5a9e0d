import type { LinkedProvider } from '@enforcer/contract';
import { AppError } from '../../errors.js';
import {
  emptyProfile,
  type IdentityRecord,
  type IdentityStore,
  type PersonProfile,
  type PersonRecord,
  type PersonStore,
} from '../../persons/ports.js';
import type { MemoryDatabase } from './database.js';

/** A person row of the memory database (times in epoch milliseconds, as the mock's other rows). */
export interface MemoryPersonRow {
  id: string;
  /** Lower-cased; unique. */
  email: string | null;
  /** The mock's rows keep a flag: the moment of proof reads as the person's creation. */
  emailVerified: boolean;
  createdAt: number;
  /** Absent until the person sets something (`PATCH /auth/me`). */
  profile?: PersonProfile;
}

/** A linked identity row (`person_identity`): phone, Google, wallet or Privy user. */
export interface MemoryIdentityRow {
  id: string;
  personId: string;
  provider: LinkedProvider;
  subject: string;
  email: string | null;
  verifiedAt: number;
  createdAt: number;
  lastUsedAt: number | null;
}

export const personRecord = (p: MemoryPersonRow): PersonRecord => ({
  id: p.id,
  email: p.email,
  emailVerifiedAt: p.emailVerified ? new Date(p.createdAt) : null,
  createdAt: new Date(p.createdAt),
  profile: { ...(p.profile ?? emptyProfile) },
});

const identityRecord = (i: MemoryIdentityRow): IdentityRecord => ({
  ...i,
  verifiedAt: new Date(i.verifiedAt),
  createdAt: new Date(i.createdAt),
  lastUsedAt: i.lastUsedAt === null ? null : new Date(i.lastUsedAt),
});

/** The person with this (lower-cased) email in the memory database's `persons` table. */
export function personByEmail(db: MemoryDatabase, email: string): MemoryPersonRow | undefined {
  for (const person of db.tables.persons.values()) if (person.email === email) return person;
  return undefined;
}

/** Persons in the memory database's `persons` table (locks: units of work already run one at a time). */
export class MemoryPersonStore implements PersonStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async find(id: string): Promise<PersonRecord | null> {
    const person = this.#db.tables.persons.get(id);
    return person ? personRecord(person) : null;
  }

  async findByEmail(email: string): Promise<PersonRecord | null> {
    const person = personByEmail(this.#db, email);
    return person ? personRecord(person) : null;
  }

  async lock(): Promise<void> {}

  async create(input: { email: string | null; emailVerifiedAt: Date | null }): Promise<PersonRecord> {
    // PostgreSQL's unique index on the email.
    if (input.email !== null && personByEmail(this.#db, input.email)) {
      throw new Error(`a person with email ${input.email} exists`);
    }
    const person: MemoryPersonRow = {
      id: crypto.randomUUID(),
      email: input.email,
      emailVerified: input.emailVerifiedAt !== null,
      createdAt: this.#db.now().getTime(),
    };
    this.#db.tables.persons.set(person.id, person);
    return personRecord(person);
  }

  async markEmailVerified(personId: string): Promise<void> {
    const person = this.#db.tables.persons.get(personId);
    if (person) person.emailVerified = true;
  }

  async adoptEmail(personId: string, email: string): Promise<void> {
    const person = this.#db.tables.persons.get(personId);
    if (!person) throw new Error(`No person ${personId}`);
    person.email = email;
    person.emailVerified = true;
  }

  async updateProfile(personId: string, changes: Partial<PersonProfile>): Promise<void> {
    const person = this.#db.tables.persons.get(personId);
    if (!person) throw new Error(`No person ${personId}`);
    const defined = Object.entries(changes).filter(([, value]) => value !== undefined);
    person.profile = { ...(person.profile ?? emptyProfile), ...Object.fromEntries(defined) };
  }
}

/** Linked identities in the memory database's `identities` table. */
export class MemoryIdentityStore implements IdentityStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async lock(): Promise<void> {}

  async findBySubject(provider: LinkedProvider, subject: string): Promise<IdentityRecord | null> {
    const found = this.#find(provider, subject);
    return found ? identityRecord(found) : null;
  }

  async ofPerson(personId: string): Promise<IdentityRecord[]> {
    return [...this.#db.tables.identities.values()]
      .filter((i) => i.personId === personId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map(identityRecord);
  }

  async create(input: Omit<IdentityRecord, 'id' | 'createdAt'>): Promise<IdentityRecord> {
    if (this.#find(input.provider, input.subject)) {
      throw new AppError('identity_already_linked', 'This identity is linked to someone already');
    }
    const row: MemoryIdentityRow = {
      id: crypto.randomUUID(),
      personId: input.personId,
      provider: input.provider,
      subject: input.subject,
      email: input.email,
      verifiedAt: input.verifiedAt.getTime(),
      createdAt: this.#db.now().getTime(),
      lastUsedAt: input.lastUsedAt === null ? null : input.lastUsedAt.getTime(),
    };
    this.#db.tables.identities.set(row.id, row);
    return identityRecord(row);
  }

  async touch(id: string, changes: { lastUsedAt: Date; email?: string | null }): Promise<void> {
    const row = this.#db.tables.identities.get(id);
    if (!row) return;
    row.lastUsedAt = changes.lastUsedAt.getTime();
    if (changes.email !== undefined) row.email = changes.email;
  }

  async delete(id: string): Promise<void> {
    this.#db.tables.identities.delete(id);
  }

  #find(provider: LinkedProvider, subject: string): MemoryIdentityRow | undefined {
    for (const row of this.#db.tables.identities.values()) {
      if (row.provider === provider && row.subject === subject) return row;
    }
    return undefined;
  }
}
