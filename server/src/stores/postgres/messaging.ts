import type { MessageKind } from '@enforcer/contract';
import type {
  MessageTemplateRecord,
  MessagingSettingsRecord,
  MessagingStore,
  OutboundMessageRecord,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';

interface SettingRow {
  tenant_id: string;
  smtp_url: string | null;
  smtp_password_sealed: string | null;
  from_address: string | null;
  default_locale: string;
  sms_gateway_url: string | null;
  sms_gateway_token_sealed: string | null;
  sms_from: string | null;
  updated_at: Date;
}

interface TemplateRow {
  tenant_id: string;
  kind: MessageKind;
  locale: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  updated_at: Date;
}

interface MessageRow {
  id: string;
  tenant_id: string | null;
  kind: MessageKind;
  payload_sealed: string;
  attempts: number;
  next_attempt_at: Date;
  locked_until: Date | null;
  created_at: Date;
}

const messageRecord = (row: MessageRow): OutboundMessageRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  kind: row.kind,
  payloadSealed: row.payload_sealed,
  attempts: Number(row.attempts),
  nextAttemptAt: new Date(row.next_attempt_at),
  lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
  createdAt: new Date(row.created_at),
});

/** The messaging module's tables (`messaging_setting`, `message_template`, `outbound_message`). */
export class PostgresMessagingStore implements MessagingStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async settings(tenantId: string): Promise<MessagingSettingsRecord | null> {
    const [row]: SettingRow[] = await this.#em.execute(
      'select * from "messaging_setting" where "tenant_id" = ?',
      [tenantId],
    );
    return row
      ? {
          tenantId: row.tenant_id,
          smtpUrl: row.smtp_url,
          smtpPasswordSealed: row.smtp_password_sealed,
          from: row.from_address,
          defaultLocale: row.default_locale,
          smsGatewayUrl: row.sms_gateway_url,
          smsGatewayTokenSealed: row.sms_gateway_token_sealed,
          smsFrom: row.sms_from,
          updatedAt: new Date(row.updated_at),
        }
      : null;
  }

  async saveSettings(s: MessagingSettingsRecord): Promise<void> {
    await this.#em.execute(
      `insert into "messaging_setting" ("tenant_id", "smtp_url", "smtp_password_sealed", "from_address",
         "default_locale", "sms_gateway_url", "sms_gateway_token_sealed", "sms_from", "updated_at")
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict ("tenant_id") do update set "smtp_url" = excluded."smtp_url",
         "smtp_password_sealed" = excluded."smtp_password_sealed", "from_address" = excluded."from_address",
         "default_locale" = excluded."default_locale", "sms_gateway_url" = excluded."sms_gateway_url",
         "sms_gateway_token_sealed" = excluded."sms_gateway_token_sealed", "sms_from" = excluded."sms_from",
         "updated_at" = excluded."updated_at"`,
      [
        s.tenantId,
        s.smtpUrl,
        s.smtpPasswordSealed,
        s.from,
        s.defaultLocale,
        s.smsGatewayUrl,
        s.smsGatewayTokenSealed,
        s.smsFrom,
        s.updatedAt,
      ],
    );
  }

  async template(tenantId: string, kind: MessageKind, locale: string): Promise<MessageTemplateRecord | null> {
    const [row]: TemplateRow[] = await this.#em.execute(
      'select * from "message_template" where "tenant_id" = ? and "kind" = ? and "locale" = ?',
      [tenantId, kind, locale],
    );
    return row
      ? {
          tenantId: row.tenant_id,
          kind: row.kind,
          locale: row.locale,
          subject: row.subject,
          text: row.text_body,
          html: row.html_body,
          updatedAt: new Date(row.updated_at),
        }
      : null;
  }

  async saveTemplate(t: MessageTemplateRecord): Promise<void> {
    await this.#em.execute(
      `insert into "message_template" ("tenant_id", "kind", "locale", "subject", "text_body", "html_body", "updated_at")
       values (?, ?, ?, ?, ?, ?, ?)
       on conflict ("tenant_id", "kind", "locale") do update set "subject" = excluded."subject",
         "text_body" = excluded."text_body", "html_body" = excluded."html_body", "updated_at" = excluded."updated_at"`,
      [t.tenantId, t.kind, t.locale, t.subject, t.text, t.html, t.updatedAt],
    );
  }

  async deleteTemplate(tenantId: string, kind: MessageKind, locale: string): Promise<boolean> {
    const rows: unknown[] = await this.#em.execute(
      'delete from "message_template" where "tenant_id" = ? and "kind" = ? and "locale" = ? returning "kind"',
      [tenantId, kind, locale],
    );
    return rows.length > 0;
  }

  async enqueue(m: OutboundMessageRecord): Promise<void> {
    await this.#em.execute(
      `insert into "outbound_message" ("id", "tenant_id", "kind", "payload_sealed", "attempts", "next_attempt_at",
         "locked_until", "created_at") values (?, ?, ?, ?, ?, ?, ?, ?)`,
      [m.id, m.tenantId, m.kind, m.payloadSealed, m.attempts, m.nextAttemptAt, m.lockedUntil, m.createdAt],
    );
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<OutboundMessageRecord[]> {
    // `skip locked`: concurrent workers (several server processes) never lease the same message.
    const rows: MessageRow[] = await this.#em.execute(
      `update "outbound_message" m set "attempts" = m."attempts" + 1, "locked_until" = ?
       where m."id" in (
         select "id" from "outbound_message"
         where "next_attempt_at" <= ? and ("locked_until" is null or "locked_until" <= ?)
         order by "next_attempt_at" limit ? for update skip locked
       ) returning m.*`,
      [leaseUntil, now, now, limit],
    );
    return rows.map(messageRecord).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
  }

  async retryAt(id: string, nextAttemptAt: Date): Promise<void> {
    await this.#em.execute(
      'update "outbound_message" set "next_attempt_at" = ?, "locked_until" = null where "id" = ?',
      [nextAttemptAt, id],
    );
  }

  async remove(id: string): Promise<void> {
    await this.#em.execute('delete from "outbound_message" where "id" = ?', [id]);
  }

  async findQueued(id: string): Promise<OutboundMessageRecord | null> {
    const [row]: MessageRow[] = await this.#em.execute('select * from "outbound_message" where "id" = ?', [
      id,
    ]);
    return row ? messageRecord(row) : null;
  }
}
