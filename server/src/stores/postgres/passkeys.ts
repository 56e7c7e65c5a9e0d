import { randomUUID } from 'node:crypto';
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
    // The unique index decides a race without aborting the transaction: a lost one inserts nothing.
    const id = randomUUID();
    const inserted: unknown[] = await this.#em.execute(
      `insert into "passkey_credential" ("id", "person_id", "credential_id", "public_key", "counter", "transports",
         "device_type", "backed_up", "rp_id", "aaguid", "name", "created_at", "last_used_at")
       values (?, ?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?, ?, ?, ?, ?, ?, ?)
       on conflict ("credential_id") do nothing returning "id"`,
      [
        id,
        input.personId,
        input.credentialId,
        input.publicKey,
        input.counter,
        JSON.stringify(input.transports),
        input.deviceType,
        input.backedUp,
        input.rpId,
        input.aaguid,
        input.name,
        input.createdAt,
        input.lastUsedAt,
      ],
    );
    if (inserted.length === 0) return null;
    return passkeyRecord(await this.#em.findOneOrFail(PasskeyCredential, id));
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
