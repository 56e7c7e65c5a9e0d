import type { OAuthFlowRecord, OAuthSettingsRecord, OAuthStore } from '../../social-sign-in/ports.js';
import type { MemoryDatabase } from './database.js';

/** OAuth settings (`oauthSettings`, tenant id → settings) and transactions (`oauthFlows`, id → flow). */
export class MemoryOAuthStore implements OAuthStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #flows(): Map<string, OAuthFlowRecord> {
    return this.#db.tables.oauthFlows;
  }

  async settings(tenantId: string): Promise<OAuthSettingsRecord> {
    return structuredClone(
      this.#db.tables.oauthSettings.get(tenantId) ?? { providers: [], redirectUrls: [] },
    );
  }

  async setSettings(tenantId: string, settings: OAuthSettingsRecord): Promise<OAuthSettingsRecord> {
    const before = await this.settings(tenantId);
    this.#db.tables.oauthSettings.set(tenantId, structuredClone(settings));
    return before;
  }

  async insertFlow(flow: OAuthFlowRecord): Promise<void> {
    for (const row of this.#flows.values()) {
      if (row.stateHash === flow.stateHash) throw new Error('oauth state hash already stored');
    }
    this.#flows.set(flow.id, structuredClone(flow));
  }

  async spendState(stateHash: string, at: Date): Promise<OAuthFlowRecord | null> {
    for (const row of this.#flows.values()) {
      if (row.stateHash !== stateHash) continue;
      const before = structuredClone(row);
      row.stateSpentAt ??= at;
      return before;
    }
    return null;
  }

  async issueCode(
    flowId: string,
    code: { codeHash: string; identity: OAuthFlowRecord['identity']; expiresAt: Date },
  ): Promise<void> {
    const row = this.#flows.get(flowId);
    if (!row) throw new Error('no such oauth flow');
    row.codeHash = code.codeHash;
    row.identity = structuredClone(code.identity);
    row.codeExpiresAt = code.expiresAt;
  }

  async findByCode(codeHash: string): Promise<OAuthFlowRecord | null> {
    for (const row of this.#flows.values()) if (row.codeHash === codeHash) return structuredClone(row);
    return null;
  }

  async spendCode(codeHash: string, at: Date): Promise<OAuthFlowRecord | null> {
    for (const row of this.#flows.values()) {
      if (row.codeHash !== codeHash) continue;
      const before = structuredClone(row);
      row.codeSpentAt ??= at;
      return before;
    }
    return null;
  }
}
