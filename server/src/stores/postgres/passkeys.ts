import type { PasskeyRecord, PasskeyStore } from '@enforcer/core';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Person } from '../../entities/accounts.js';
import { type IPasskeyCredential, PasskeyCredential } from '../../entities/passkeys.js';

const passkeyRecord = (row: IPasskeyCredential): PasskeyRecord => ({
  id: row.id,
  personId: row.person.id,
  credentialId: row.credentialId,
  publicKey: row.publicKey,
  counter: row.counter,
  transports: [...row.transports],
  deviceType: row.deviceType === 'multiDevice' ? 'multiDevice' : 'singleDevice',
  backedUp: row.backedUp,
  rpId: row.rpId,
  aaguid: row.aaguid ?? null,
  name: row.name ?? null,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt ?? null,
});

/** Passkeys over `passkey_credential`, in the unit's transaction. */
export class PostgresPasskeyStore implements PasskeyStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async find(id: string) {
    const row = await this.#em.findOne(PasskeyCredential, id);
    return row ? passkeyRecord(row) : null;
  }

  async findByCredentialId(credentialId: string) {
    const row = await this.#em.findOne(PasskeyCredential, { credentialId });
    return row ? passkeyRecord(row) : null;
  }

  async ofPerson(personId: string, rpId?: string) {
    const rows = await this.#em.find(
      PasskeyCredential,
      { person: personId, ...(rpId === undefined ? {} : { rpId }) },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return rows.map(passkeyRecord);
  }

  async create(input: Omit<PasskeyRecord, 'id'>) {
    // The unique index is the last word; callers check first, so a duplicate here is a lost race.
    if (await this.#em.count(PasskeyCredential, { credentialId: input.credentialId })) return null;
    const { personId, ...fields } = input;
    const row = this.#em.create(PasskeyCredential, {
      ...fields,
      person: this.#em.getReference(Person, personId),
    });
    await this.#em.flush();
    return passkeyRecord(row);
  }

  async recordUse(id: string, changes: { counter: number; backedUp: boolean; lastUsedAt: Date }) {
    await this.#em.nativeUpdate(PasskeyCredential, { id }, changes);
  }

  async delete(id: string) {
    await this.#em.nativeDelete(PasskeyCredential, { id });
  }

  async lockOwner(personId: string) {
    await this.#em.findOne(Person, personId, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }
}
