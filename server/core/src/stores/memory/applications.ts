import type {
  ApplicationRecord,
  ApplicationStore,
  RevokedClientToken,
  UsedClientAssertion,
} from '../../applications/ports.js';
import { byPosition, type PageRequest } from '../../pagination.js';
import type { MemoryDatabase } from './database.js';
import { recordRevocationEvent } from './revocations.js';

const copy = (app: ApplicationRecord): ApplicationRecord => ({
  ...app,
  scopes: [...app.scopes],
  jwks: app.jwks ? structuredClone(app.jwks) : null,
});

/** Two applications with the same secret hash (applications with keys have none, and never clash). */
const sameSecret = (a: ApplicationRecord, b: ApplicationRecord) =>
  a.secretHash !== null && a.secretHash === b.secretHash;

/** Applications in the memory database's `applications` table (id → record). Callers get copies. */
export class MemoryApplicationStore implements ApplicationStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #rows(): Map<string, ApplicationRecord> {
    return this.#db.tables.applications;
  }

  async insert(app: ApplicationRecord): Promise<void> {
    for (const row of this.#rows.values()) {
      if (row.id === app.id || row.clientId === app.clientId || sameSecret(row, app))
        throw new Error('application: duplicate id, client id or secret hash');
    }
    this.#rows.set(app.id, copy(app));
  }

  async list(tenantId: string, request: PageRequest): Promise<ApplicationRecord[]> {
    const after = request.after;
    return [...this.#rows.values()]
      .filter((a) => a.tenantId === tenantId && (!after || byPosition(a, after) > 0))
      .sort(byPosition)
      .slice(0, request.limit)
      .map(copy);
  }

  async find(tenantId: string, id: string): Promise<ApplicationRecord | null> {
    const row = this.#rows.get(id);
    return row && row.tenantId === tenantId ? copy(row) : null;
  }

  async findByClientId(clientId: string): Promise<ApplicationRecord | null> {
    for (const row of this.#rows.values()) if (row.clientId === clientId) return copy(row);
    return null;
  }

  async update(app: ApplicationRecord): Promise<void> {
    const row = this.#rows.get(app.id);
    if (!row) return;
    for (const other of this.#rows.values()) {
      if (other.id !== app.id && sameSecret(other, app))
        throw new Error('application: duplicate secret hash');
    }
    const scopesChanged = row.scopes.join(' ') !== app.scopes.join(' ');
    Object.assign(row, {
      name: app.name,
      description: app.description,
      scopes: [...app.scopes],
      secretHash: app.secretHash,
      secretPrefix: app.secretPrefix,
      jwks: app.jwks ? structuredClone(app.jwks) : null,
      jwksUri: app.jwksUri,
      secretRotatedAt: app.secretRotatedAt,
      updatedAt: app.updatedAt,
    });
    // What the server's trigger does: offline verifiers hear of the application's new scopes.
    if (scopesChanged) {
      recordRevocationEvent(this.#db, {
        tenantId: row.tenantId,
        kind: 'application_changed',
        clientId: row.clientId,
      });
    }
  }

  async delete(id: string): Promise<void> {
    const row = this.#rows.get(id);
    if (!row) return;
    this.#rows.delete(id);
    for (const [key, use] of this.#db.tables.usedClientAssertions) {
      if (use.applicationId === id) this.#db.tables.usedClientAssertions.delete(key);
    }
    recordRevocationEvent(this.#db, {
      tenantId: row.tenantId,
      kind: 'application_changed',
      clientId: row.clientId,
    });
  }

  async touch(id: string, at: Date): Promise<void> {
    const row = this.#rows.get(id);
    if (row) row.lastUsedAt = at;
  }

  async revokeToken(token: RevokedClientToken): Promise<void> {
    if (this.#db.tables.revokedClientTokens.has(token.jti)) return;
    this.#db.tables.revokedClientTokens.set(token.jti, { ...token });
    const app = this.#rows.get(token.applicationId);
    recordRevocationEvent(this.#db, {
      tenantId: token.tenantId,
      kind: 'client_token_revoked',
      clientId: app?.clientId ?? null,
      jti: token.jti,
    });
  }

  async isTokenRevoked(jti: string, now: Date): Promise<boolean> {
    const row = this.#db.tables.revokedClientTokens.get(jti);
    return row !== undefined && row.expiresAt.getTime() > now.getTime();
  }

  async useClientAssertion(use: UsedClientAssertion, now: Date): Promise<boolean> {
    const used = this.#db.tables.usedClientAssertions;
    for (const [key, row] of used) if (row.expiresAt.getTime() <= now.getTime()) used.delete(key);
    const key = `${use.applicationId}\0${use.jti}`;
    if (used.has(key)) return false;
    used.set(key, { ...use });
    return true;
  }
}
