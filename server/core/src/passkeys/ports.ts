/**
 * A registered passkey (WebAuthn credential) of a person, bound to the relying party id it was created
 * for. The public key is the COSE key from the attestation (base64url); `counter` is the last signature
 * counter seen (0 for authenticators that do not count, as synced passkeys).
 */
export interface PasskeyRecord {
  id: string;
  personId: string;
  /** The WebAuthn credential id, base64url; unique across every person. */
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  rpId: string;
  aaguid: string | null;
  name: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The port to passkeys, in the unit of work's transaction. */
export interface PasskeyStore {
  find(id: string): Promise<PasskeyRecord | null>;
  findByCredentialId(credentialId: string): Promise<PasskeyRecord | null>;
  /** The person's passkeys (for one relying party id when given), oldest first. */
  ofPerson(personId: string, rpId?: string): Promise<PasskeyRecord[]>;
  /**
   * Stores a passkey; a credential id registered before stores nothing and answers null (callers check
   * with `findByCredentialId` first; null is the race's answer).
   */
  create(input: Omit<PasskeyRecord, 'id'>): Promise<PasskeyRecord | null>;
  /** A sign-in with the passkey: its new counter and backup state, and when. */
  recordUse(id: string, changes: { counter: number; backedUp: boolean; lastUsedAt: Date }): Promise<void>;
  delete(id: string): Promise<void>;
  /**
   * Serialises, until the unit of work ends, what removes one of the person's sign-in methods (PostgreSQL:
   * the person's row `FOR UPDATE`, as unlinking an identity takes it), so two concurrent removals cannot
   * both see "one more left". Memory: a no-op (units of work run one at a time).
   */
  lockOwner(personId: string): Promise<void>;
}
