import type { MessageKind } from '@enforcer/contract';
import type {
  MessageTemplateRecord,
  MessagingSettingsRecord,
  MessagingStore,
  OutboundMessageRecord,
} from '../../messaging/ports.js';
import type { MemoryDatabase } from './database.js';

const templateKey = (tenantId: string, kind: MessageKind, locale: string) =>
  `${tenantId}\0${kind}\0${locale}`;

/** The messaging module's tables in memory (`messagingSettings`, `messageTemplates`, `outboundMessages`). */
export class MemoryMessagingStore implements MessagingStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #t() {
    return this.#db.tables;
  }

  async settings(tenantId: string): Promise<MessagingSettingsRecord | null> {
    const row = this.#t.messagingSettings.get(tenantId);
    return row ? { ...row } : null;
  }

  async saveSettings(settings: MessagingSettingsRecord): Promise<void> {
    this.#t.messagingSettings.set(settings.tenantId, { ...settings });
  }

  async template(tenantId: string, kind: MessageKind, locale: string): Promise<MessageTemplateRecord | null> {
    const row = this.#t.messageTemplates.get(templateKey(tenantId, kind, locale));
    return row ? { ...row } : null;
  }

  async saveTemplate(template: MessageTemplateRecord): Promise<void> {
    this.#t.messageTemplates.set(templateKey(template.tenantId, template.kind, template.locale), {
      ...template,
    });
  }

  async deleteTemplate(tenantId: string, kind: MessageKind, locale: string): Promise<boolean> {
    return this.#t.messageTemplates.delete(templateKey(tenantId, kind, locale));
  }

  async enqueue(message: OutboundMessageRecord): Promise<void> {
    if (this.#t.outboundMessages.has(message.id)) throw new Error('outbound_message: duplicate id');
    this.#t.outboundMessages.set(message.id, { ...message });
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<OutboundMessageRecord[]> {
    const due = [...this.#t.outboundMessages.values()]
      .filter(
        (m) =>
          m.nextAttemptAt.getTime() <= now.getTime() &&
          (m.lockedUntil === null || m.lockedUntil.getTime() <= now.getTime()),
      )
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())
      .slice(0, limit);
    for (const m of due) {
      m.attempts += 1;
      m.lockedUntil = leaseUntil;
    }
    return due.map((m) => ({ ...m }));
  }

  async retryAt(id: string, nextAttemptAt: Date): Promise<void> {
    const row = this.#t.outboundMessages.get(id);
    if (row) Object.assign(row, { nextAttemptAt, lockedUntil: null });
  }

  async remove(id: string): Promise<void> {
    this.#t.outboundMessages.delete(id);
  }

  async findQueued(id: string): Promise<OutboundMessageRecord | null> {
    const row = this.#t.outboundMessages.get(id);
    return row ? { ...row } : null;
  }
}
