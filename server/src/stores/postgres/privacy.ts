import {
  type DeletionRequestRecord,
  type DeletionRequestStatus,
  type ErasureActor,
  type ErasureCounts,
  erasureKeys,
  type PageRequest,
  PERSONAL_DETAIL_KEYS,
  type PersonalTraces,
  type PersonalValues,
  type PrivacyStore,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MagicLinkToken } from '../../entities/magic-links.js';
import { OtpChallenge } from '../../entities/otp-challenges.js';
import { DeletionRequest, type IDeletionRequest } from '../../entities/privacy.js';
import { type ISession, Session } from '../../entities/sessions.js';
import { Invite, Tenant } from '../../entities/tenants.js';
import { challengeRecord } from './codes.js';
import { linkRecord } from './magic-links.js';
import { sessionRecord } from './sessions.js';
import { inviteRecord } from './tenants.js';

export const deletionRequestRecord = (row: IDeletionRequest): DeletionRequestRecord => ({
  id: row.id,
  tenantId: row.tenantId,
  accountId: row.accountId,
  personId: row.personId,
  status: row.status,
  createdAt: row.createdAt,
  scheduledFor: row.scheduledFor,
  cancelledAt: row.cancelledAt ?? null,
  completedAt: row.completedAt ?? null,
  processedBy: row.processedByType
    ? { type: row.processedByType as ErasureActor['type'], id: row.processedById ?? null }
    : null,
});

/** A JSON array parameter (`jsonb_array_elements_text(?::jsonb)`): no driver-specific array binding. */
const list = (values: readonly string[]): string => JSON.stringify([...new Set(values)]);

/** The personal detail keys as an SQL array literal (constants of the core, never input). */
const PERSONAL_KEYS_SQL = `array[${PERSONAL_DETAIL_KEYS.map((k) => `'${k.replace(/'/g, "''")}'`).join(', ')}]::text[]`;

/** Deletion requests and the per-table SQL of an erasure, in the unit of work's transaction. */
export class PostgresPrivacyStore implements PrivacyStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async pendingOf(personId: string): Promise<DeletionRequestRecord | null> {
    const row = await this.#em.findOne(DeletionRequest, { personId, status: 'pending' });
    return row ? deletionRequestRecord(row) : null;
  }

  async create(request: Omit<DeletionRequestRecord, 'id'>): Promise<DeletionRequestRecord> {
    const row = this.#em.create(DeletionRequest, {
      tenantId: request.tenantId,
      accountId: request.accountId,
      personId: request.personId,
      status: request.status,
      createdAt: request.createdAt,
      scheduledFor: request.scheduledFor,
      cancelledAt: request.cancelledAt,
      completedAt: request.completedAt,
      processedByType: request.processedBy?.type ?? null,
      processedById: request.processedBy?.id ?? null,
    });
    await this.#em.flush();
    return deletionRequestRecord(row);
  }

  async find(
    tenantId: string,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<DeletionRequestRecord | null> {
    if (options.lock) {
      await this.#em.execute(
        'select 1 from "deletion_request" where "id" = ? and "tenant_id" = ? for update',
        [id, tenantId],
      );
    }
    const row = await this.#em.findOne(DeletionRequest, { id, tenantId }, { refresh: true });
    return row ? deletionRequestRecord(row) : null;
  }

  async list(
    tenantId: string,
    request: PageRequest & { status?: DeletionRequestStatus | undefined },
  ): Promise<DeletionRequestRecord[]> {
    const { after } = request;
    const rows = await this.#em.find(
      DeletionRequest,
      {
        tenantId,
        ...(request.status ? { status: request.status } : {}),
        ...(after
          ? {
              $or: [
                { createdAt: { $lt: after.createdAt } },
                { createdAt: after.createdAt, id: { $lt: after.id } },
              ],
            }
          : {}),
      },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: request.limit },
    );
    return rows.map(deletionRequestRecord);
  }

  async due(now: Date, limit: number): Promise<DeletionRequestRecord[]> {
    const rows = await this.#em.find(
      DeletionRequest,
      { status: 'pending', scheduledFor: { $lte: now } },
      { orderBy: { scheduledFor: 'asc', id: 'asc' }, limit },
    );
    return rows.map(deletionRequestRecord);
  }

  async update(
    id: string,
    changes: Partial<Pick<DeletionRequestRecord, 'status' | 'cancelledAt' | 'completedAt' | 'processedBy'>>,
  ): Promise<void> {
    const { processedBy, ...rest } = changes;
    await this.#em.nativeUpdate(
      DeletionRequest,
      { id },
      {
        ...rest,
        ...(processedBy !== undefined
          ? { processedByType: processedBy?.type ?? null, processedById: processedBy?.id ?? null }
          : {}),
      },
    );
  }

  async graceDays(tenantId: string): Promise<number | null> {
    const tenant = await this.#em.findOne(Tenant, { id: tenantId }, { fields: ['deletionGraceDays'] });
    return tenant?.deletionGraceDays ?? null;
  }

  async setGraceDays(tenantId: string, days: number | null): Promise<void> {
    await this.#em.nativeUpdate(Tenant, { id: tenantId }, { deletionGraceDays: days });
  }

  async personalValues(personId: string): Promise<PersonalValues> {
    const accounts = await this.#em.execute<{ id: string }[]>(
      'select "id" from "account" where "person_id" = ?',
      [personId],
    );
    const accountIds = accounts.map((a) => a.id);
    const ids = list([personId, ...accountIds]);
    const [person] = await this.#em.execute<{ email: string | null }[]>(
      'select "email" from "person" where "id" = ?',
      [personId],
    );
    const identities = await this.#em.execute<{ provider: string; subject: string; email: string | null }[]>(
      'select "provider", "subject", "email" from "person_identity" where "person_id" = ?',
      [personId],
    );
    const clients = await this.#em.execute<{ ip: string | null; user_agent: string | null }[]>(
      `select "ip", "user_agent" from "session" where ("person_id" = ? or "actor_account_id" in (select jsonb_array_elements_text(?::jsonb)::uuid)) and ("ip" is not null or "user_agent" is not null)
       union select "ip", "user_agent" from "mfa_challenge" where "person_id" = ? and ("ip" is not null or "user_agent" is not null)
       union select "ip", "user_agent" from "audit_event" where ("ip" is not null or "user_agent" is not null) and (
         ("actor_type" in ('account', 'person') and "actor_id" in (select jsonb_array_elements_text(?::jsonb)))
         or ("target_type" in ('account', 'person') and "target_id" in (select jsonb_array_elements_text(?::jsonb))))`,
      [personId, list(accountIds), personId, ids, ids],
    );
    const present = (values: (string | null | undefined)[]) => [
      ...new Set(values.filter((v): v is string => typeof v === 'string' && v !== '')),
    ];
    return {
      personId,
      accountIds,
      emails: present([person?.email, ...identities.map((i) => i.email)]),
      phones: present(identities.filter((i) => i.provider === 'phone_otp').map((i) => i.subject)),
      subjects: present(identities.map((i) => i.subject)),
      clients: clients.map((c) => ({ ip: c.ip, userAgent: c.user_agent })),
    };
  }

  async traces(values: PersonalValues): Promise<PersonalTraces> {
    const addresses = [...new Set([...values.emails, ...values.phones])];
    const order = { createdAt: 'asc', id: 'asc' } as const;
    const sessions = await this.#em.find(
      Session,
      { person: values.personId },
      { orderBy: order, refresh: true },
    );
    const invites = await this.#em.find(
      Invite,
      {
        $or: [
          { email: { $in: addresses } },
          { phone: { $in: addresses } },
          { acceptedBy: { $in: values.accountIds } },
        ],
      },
      { orderBy: order, refresh: true },
    );
    const codes = await this.#em.find(
      OtpChallenge,
      { email: { $in: addresses } },
      { orderBy: order, refresh: true },
    );
    const links = await this.#em.find(
      MagicLinkToken,
      { email: { $in: [...new Set(values.emails)] } },
      { orderBy: order, refresh: true },
    );
    return {
      sessions: sessions.map((row) => sessionRecord(row as ISession)),
      invites: invites.map((row) => ({ ...inviteRecord(row), acceptedBy: row.acceptedBy ?? null })),
      codes: codes.map(challengeRecord),
      magicLinks: links.map(linkRecord),
    };
  }

  async erase(values: PersonalValues): Promise<ErasureCounts> {
    const { personId } = values;
    // Writes the unit of work holds (accounts' status) go first: the statements below see the same rows.
    await this.#em.flush();
    const ids = list([personId, ...values.accountIds]);
    const accountIds = list(values.accountIds);
    const addresses = list([...values.emails, ...values.phones]);
    const named = list([...values.emails, ...values.phones, ...values.subjects]);
    const mentions = list([
      personId,
      ...values.accountIds,
      ...values.emails,
      ...values.phones,
      ...values.subjects,
    ]);
    const clients = JSON.stringify(values.clients.map((c) => ({ ip: c.ip, ua: c.userAgent })));
    const keys = erasureKeys(values);
    const counts: ErasureCounts = {};
    const run = async (table: string, sql: string, params: unknown[]) => {
      const rows = await this.#em.execute<{ n: number }[]>(
        `with changed as (${sql} returning 1) select count(*)::int as "n" from changed`,
        params,
      );
      const n = rows[0]?.n ?? 0;
      if (n > 0) counts[table] = n;
    };
    const mentioned = (column: string) =>
      `exists (select 1 from jsonb_array_elements_text(?::jsonb) v where strpos(${column}::text, v) > 0)`;
    const keyed = (column: string) =>
      `(${column} in (select jsonb_array_elements_text(?::jsonb)) or exists (select 1 from jsonb_array_elements_text(?::jsonb) s where right(${column}, length(s)) = s))`;

    await run(
      'audit_event',
      `update "audit_event" set "ip" = null, "user_agent" = null, "personal_salt" = null, "details" = "details" - ${PERSONAL_KEYS_SQL}
       where "personal_salt" is not null and (
         ("actor_type" in ('account', 'person') and "actor_id" in (select jsonb_array_elements_text(?::jsonb)))
         or ("target_type" in ('account', 'person') and "target_id" in (select jsonb_array_elements_text(?::jsonb)))
         or (("ip" is not null or "user_agent" is not null) and exists (select 1 from jsonb_to_recordset(?::jsonb) as c("ip" text, "ua" text)
               where c."ip" is not distinct from "audit_event"."ip" and c."ua" is not distinct from "audit_event"."user_agent"))
         or exists (select 1 from jsonb_each_text("details") d where d."key" = any(${PERSONAL_KEYS_SQL})
               and (d."value" in (select jsonb_array_elements_text(?::jsonb)) or lower(d."value") in (select jsonb_array_elements_text(?::jsonb)))))`,
      [ids, ids, clients, named, named],
    );
    await run(
      'person',
      `update "person" set "email" = null, "email_verified_at" = null, "display_name" = null, "avatar_url" = null, "locale" = null, "time_zone" = null where "id" = ?`,
      [personId],
    );
    await run(
      'account',
      `update "account" set "status_reason" = null, "public_metadata" = '{}', "private_metadata" = '{}', "user_metadata" = '{}'
       where "id" in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
      [accountIds],
    );
    for (const table of [
      'person_identity',
      'passkey_credential',
      'password_credential',
      'totp_credential',
      'recovery_code',
      'mfa_challenge',
    ]) {
      await run(table, `delete from "${table}" where "person_id" = ?`, [personId]);
    }
    await run(
      'refresh_token',
      `delete from "refresh_token" where "session_id" in (select "id" from "session" where "person_id" = ?)`,
      [personId],
    );
    await run(
      'session',
      // Their own sessions, and those their accounts held as someone else (the client was theirs).
      `update "session" set "ip" = null, "user_agent" = null where ("person_id" = ? or "actor_account_id" in (select jsonb_array_elements_text(?::jsonb)::uuid))
       and ("ip" is not null or "user_agent" is not null)`,
      [personId, accountIds],
    );
    await run(
      'magic_link_token',
      `delete from "magic_link_token" where "email" in (select jsonb_array_elements_text(?::jsonb))`,
      [addresses],
    );
    await run(
      'otp_challenge',
      `delete from "otp_challenge" where "email" in (select jsonb_array_elements_text(?::jsonb))`,
      [addresses],
    );
    await run(
      'auth_challenge',
      `delete from "auth_challenge" where "person_id" = ? or ("data" is not null and ${mentioned('"data"')})`,
      [personId, mentions],
    );
    await run(
      'invite',
      `delete from "invite" where "email" in (select jsonb_array_elements_text(?::jsonb)) or "phone" in (select jsonb_array_elements_text(?::jsonb))
       or "accepted_by" in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
      [addresses, addresses, accountIds],
    );
    await run(
      'auth_throttle',
      `delete from "auth_throttle" where ${keyed('"key"')} or ("identifier" is not null and ${keyed(`(':' || "identifier")`)})`,
      [list(keys.exact), list(keys.suffixes), list([]), list(keys.suffixes)],
    );
    await run('send_counter', `delete from "send_counter" where ${keyed('"key"')}`, [
      list(keys.exact),
      list(keys.suffixes),
    ]);
    await run('idempotency_key', `delete from "idempotency_key" where ${mentioned('"body"')}`, [mentions]);
    // Social sign-in transactions (#17): the person's links, and identities a provider proved for them.
    await run(
      'oauth_flow',
      `delete from "oauth_flow" where "person_id" = ? or ("identity" is not null and ${mentioned('"identity"')})`,
      [personId, mentions],
    );
    // The general rate limit's counters (#18) keyed by one of the person's client addresses (this window's).
    await run('rate_limit_counter', `delete from "rate_limit_counter" where ${keyed('"key"')}`, [
      list(keys.exact),
      list(keys.suffixes),
    ]);
    return counts;
  }
}
