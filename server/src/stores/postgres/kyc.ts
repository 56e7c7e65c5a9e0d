import type {
  KycSessionRecord,
  KycSessionStatus,
  KycSettingsRecord,
  KycStore,
  PersonVerificationRecord,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';

interface SettingRow {
  tenant_id: string;
  enabled: boolean;
  provider: KycSettingsRecord['provider'];
  group_name: string;
  accept_other_tenants: boolean;
  template_id: string | null;
  environment_id: string | null;
  webhook_secret_sealed: string | null;
  api_key_sealed: string | null;
  updated_at: Date;
}

interface SessionRow {
  id: string;
  tenant_id: string;
  account_id: string;
  person_id: string;
  provider: KycSessionRecord['provider'];
  status: KycSessionStatus;
  token_hash: string | null;
  basis_session_id: string | null;
  created_at: Date;
  decided_at: Date | null;
  decision_event_at: Date | null;
}

const settingRecord = (row: SettingRow): KycSettingsRecord => ({
  tenantId: row.tenant_id,
  enabled: row.enabled,
  provider: row.provider,
  group: row.group_name,
  acceptOtherTenants: row.accept_other_tenants,
  templateId: row.template_id,
  environmentId: row.environment_id,
  webhookSecretSealed: row.webhook_secret_sealed,
  apiKeySealed: row.api_key_sealed,
  updatedAt: new Date(row.updated_at),
});

const sessionRecord = (row: SessionRow): KycSessionRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  accountId: row.account_id,
  personId: row.person_id,
  provider: row.provider,
  status: row.status,
  tokenHash: row.token_hash,
  basisSessionId: row.basis_session_id,
  createdAt: new Date(row.created_at),
  decidedAt: row.decided_at ? new Date(row.decided_at) : null,
  decisionEventAt: row.decision_event_at ? new Date(row.decision_event_at) : null,
});

/** The KYC module's tables (`kyc_setting`, `kyc_session`, `person_verification`, `kyc_provider_event`). */
export class PostgresKycStore implements KycStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async settings(tenantId: string): Promise<KycSettingsRecord | null> {
    const rows: SettingRow[] = await this.#em.execute('select * from "kyc_setting" where "tenant_id" = ?', [
      tenantId,
    ]);
    return rows[0] ? settingRecord(rows[0]) : null;
  }

  async saveSettings(s: KycSettingsRecord): Promise<void> {
    await this.#em.execute(
      `insert into "kyc_setting" ("tenant_id", "enabled", "provider", "group_name", "accept_other_tenants",
         "template_id", "environment_id", "webhook_secret_sealed", "api_key_sealed", "updated_at")
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict ("tenant_id") do update set "enabled" = excluded."enabled", "provider" = excluded."provider",
         "group_name" = excluded."group_name", "accept_other_tenants" = excluded."accept_other_tenants",
         "template_id" = excluded."template_id", "environment_id" = excluded."environment_id",
         "webhook_secret_sealed" = excluded."webhook_secret_sealed", "api_key_sealed" = excluded."api_key_sealed",
         "updated_at" = excluded."updated_at"`,
      [
        s.tenantId,
        s.enabled,
        s.provider,
        s.group,
        s.acceptOtherTenants,
        s.templateId,
        s.environmentId,
        s.webhookSecretSealed,
        s.apiKeySealed,
        s.updatedAt,
      ],
    );
  }

  async insertSession(s: KycSessionRecord): Promise<void> {
    await this.#em.execute(
      `insert into "kyc_session" ("id", "tenant_id", "account_id", "person_id", "provider", "status", "token_hash",
         "basis_session_id", "created_at", "decided_at", "decision_event_at") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        s.id,
        s.tenantId,
        s.accountId,
        s.personId,
        s.provider,
        s.status,
        s.tokenHash,
        s.basisSessionId,
        s.createdAt,
        s.decidedAt,
        s.decisionEventAt,
      ],
    );
  }

  async findSession(id: string, options: { lock?: boolean } = {}): Promise<KycSessionRecord | null> {
    const rows: SessionRow[] = await this.#em.execute(
      `select * from "kyc_session" where "id" = ?${options.lock ? ' for update' : ''}`,
      [id],
    );
    return rows[0] ? sessionRecord(rows[0]) : null;
  }

  async findSessionByTokenHash(
    tokenHash: string,
    options: { lock?: boolean } = {},
  ): Promise<KycSessionRecord | null> {
    const rows: SessionRow[] = await this.#em.execute(
      `select * from "kyc_session" where "token_hash" = ?${options.lock ? ' for update' : ''}`,
      [tokenHash],
    );
    return rows[0] ? sessionRecord(rows[0]) : null;
  }

  async latestSession(tenantId: string, accountId: string): Promise<KycSessionRecord | null> {
    const rows: SessionRow[] = await this.#em.execute(
      `select * from "kyc_session" where "tenant_id" = ? and "account_id" = ?
        order by "created_at" desc, "id" desc limit 1`,
      [tenantId, accountId],
    );
    return rows[0] ? sessionRecord(rows[0]) : null;
  }

  async carriedFrom(basisSessionId: string): Promise<KycSessionRecord[]> {
    const rows: SessionRow[] = await this.#em.execute(
      `select * from "kyc_session" where "basis_session_id" = ? and "status" = 'approved' order by "id" for update`,
      [basisSessionId],
    );
    return rows.map(sessionRecord);
  }

  async setSessionStatus(
    id: string,
    status: KycSessionStatus,
    decidedAt: Date,
    decisionEventAt: Date | null,
  ): Promise<void> {
    await this.#em.execute(
      'update "kyc_session" set "status" = ?, "decided_at" = ?, "decision_event_at" = ? where "id" = ?',
      [status, decidedAt, decisionEventAt, id],
    );
  }

  async verification(personId: string): Promise<PersonVerificationRecord | null> {
    const rows: Array<{
      person_id: string;
      status: PersonVerificationRecord['status'];
      session_id: string;
      tenant_id: string;
      decided_at: Date;
    }> = await this.#em.execute('select * from "person_verification" where "person_id" = ?', [personId]);
    const row = rows[0];
    return row
      ? {
          personId: row.person_id,
          status: row.status,
          sessionId: row.session_id,
          tenantId: row.tenant_id,
          decidedAt: new Date(row.decided_at),
        }
      : null;
  }

  async saveVerification(v: PersonVerificationRecord): Promise<void> {
    await this.#em.execute(
      `insert into "person_verification" ("person_id", "status", "session_id", "tenant_id", "decided_at")
       values (?, ?, ?, ?, ?)
       on conflict ("person_id") do update set "status" = excluded."status", "session_id" = excluded."session_id",
         "tenant_id" = excluded."tenant_id", "decided_at" = excluded."decided_at"`,
      [v.personId, v.status, v.sessionId, v.tenantId, v.decidedAt],
    );
  }

  async recordEvent(tenantId: string, provider: string, eventId: string, at: Date): Promise<boolean> {
    // A concurrent delivery of the same event waits on the first one's row, then finds it: one wins.
    const rows = await this.#em.execute(
      `insert into "kyc_provider_event" ("tenant_id", "provider", "event_id", "processed_at") values (?, ?, ?, ?)
       on conflict do nothing returning "event_id"`,
      [tenantId, provider, eventId, at],
    );
    return rows.length === 1;
  }
}
