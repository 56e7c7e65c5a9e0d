import type {
  OAuthFlowRecord,
  OAuthProvenIdentity,
  OAuthProviderRecord,
  OAuthSettingsRecord,
  OAuthStore,
} from '@enforcer/core';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { type IOAuthFlow, OAuthFlow, OAuthSetting } from '../../entities/oauth.js';
import { Tenant } from '../../entities/tenants.js';

const flowRecord = (row: IOAuthFlow): OAuthFlowRecord => ({
  id: row.id,
  tenantId: row.tenant.id,
  provider: row.provider,
  stateHash: row.stateHash,
  codeVerifier: row.codeVerifier,
  nonce: row.nonce,
  clientChallenge: row.clientChallenge ?? null,
  redirectUri: row.redirectUri,
  intent: row.intent as OAuthFlowRecord['intent'],
  personId: row.personId ?? null,
  expiresAt: row.expiresAt,
  stateSpentAt: row.stateSpentAt ?? null,
  codeHash: row.codeHash ?? null,
  identity: (row.identity as OAuthProvenIdentity | null | undefined) ?? null,
  codeExpiresAt: row.codeExpiresAt ?? null,
  codeSpentAt: row.codeSpentAt ?? null,
  createdAt: row.createdAt,
});

/**
 * OAuth settings and transactions over `oauth_setting` and `oauth_flow`, in the unit's transaction.
 * Spending a state or an exchange code locks the row, so a callback or an exchange sent twice at once
 * succeeds once.
 */
export class PostgresOAuthStore implements OAuthStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async settings(tenantId: string): Promise<OAuthSettingsRecord> {
    const row = await this.#em.findOne(OAuthSetting, { tenant: tenantId }, { refresh: true });
    return {
      providers: structuredClone((row?.providers ?? []) as unknown as OAuthProviderRecord[]),
      redirectUrls: [...(row?.redirectUrls ?? [])],
    };
  }

  async setSettings(tenantId: string, settings: OAuthSettingsRecord, at: Date): Promise<OAuthSettingsRecord> {
    const before = await this.settings(tenantId);
    const row = await this.#em.findOne(OAuthSetting, { tenant: tenantId });
    const providers = structuredClone(settings.providers) as unknown as Record<string, unknown>[];
    if (row) {
      row.providers = providers;
      row.redirectUrls = [...settings.redirectUrls];
      row.updatedAt = at;
    } else {
      this.#em.create(OAuthSetting, {
        tenant: this.#em.getReference(Tenant, tenantId),
        providers,
        redirectUrls: [...settings.redirectUrls],
        updatedAt: at,
      });
    }
    await this.#em.flush();
    return before;
  }

  async insertFlow(flow: OAuthFlowRecord): Promise<void> {
    this.#em.create(OAuthFlow, {
      id: flow.id,
      tenant: this.#em.getReference(Tenant, flow.tenantId),
      provider: flow.provider,
      stateHash: flow.stateHash,
      codeVerifier: flow.codeVerifier,
      nonce: flow.nonce,
      clientChallenge: flow.clientChallenge,
      redirectUri: flow.redirectUri,
      intent: flow.intent,
      personId: flow.personId,
      expiresAt: flow.expiresAt,
      stateSpentAt: flow.stateSpentAt,
      codeHash: flow.codeHash,
      identity: flow.identity as Record<string, unknown> | null,
      codeExpiresAt: flow.codeExpiresAt,
      codeSpentAt: flow.codeSpentAt,
      createdAt: flow.createdAt,
    });
    await this.#em.flush();
  }

  async spendState(stateHash: string, at: Date): Promise<OAuthFlowRecord | null> {
    const row = await this.#em.findOne(
      OAuthFlow,
      { stateHash },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!row) return null;
    const before = flowRecord(row);
    if (!row.stateSpentAt) {
      row.stateSpentAt = at;
      await this.#em.flush();
    }
    return before;
  }

  async issueCode(
    flowId: string,
    code: { codeHash: string; identity: OAuthProvenIdentity; expiresAt: Date },
  ): Promise<void> {
    const updated = await this.#em.nativeUpdate(
      OAuthFlow,
      { id: flowId },
      {
        codeHash: code.codeHash,
        identity: code.identity as unknown as Record<string, unknown>,
        codeExpiresAt: code.expiresAt,
      },
    );
    if (updated !== 1) throw new Error('no such oauth flow');
  }

  async findByCode(codeHash: string): Promise<OAuthFlowRecord | null> {
    const row = await this.#em.findOne(OAuthFlow, { codeHash }, { refresh: true });
    return row ? flowRecord(row) : null;
  }

  async spendCode(codeHash: string, at: Date): Promise<OAuthFlowRecord | null> {
    const row = await this.#em.findOne(
      OAuthFlow,
      { codeHash },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!row) return null;
    const before = flowRecord(row);
    if (!row.codeSpentAt) {
      row.codeSpentAt = at;
      await this.#em.flush();
    }
    return before;
  }
}
