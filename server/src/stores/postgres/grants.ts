import type {
  AccountContext,
  AccountGrant,
  AccountRecord,
  GrantReader,
  PersonRecord,
  SessionRecord,
  TenantRecord,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { grantOf, loadGrant } from '../../domains/tokens/load-grant.js';
import { Account, type IPerson, Person } from '../../entities/accounts.js';
import { ApiKey } from '../../entities/api-keys.js';
import { DeletionRequest } from '../../entities/privacy.js';
import { type ITenant, Tenant, tenantRecordOf } from '../../entities/tenants.js';
import { accountRecord } from './accounts.js';
import { personRecord } from './persons.js';
import { executePrepared } from './prepared.js';
import { deletionRequestRecord } from './privacy.js';
import { type FamilyRow, leaveFamilySnapshot, sessionOfRow, TOKEN_COLUMNS_OF } from './sessions.js';

/** Accounts' grants (role, group names, status) and the roles held in a tenant, read in the unit's transaction. */
export class PostgresGrantReader implements GrantReader {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async find(accountId: string): Promise<AccountGrant | null> {
    const grant = await loadGrant(this.#em, accountId);
    if (!grant) return null;
    const { account: _entity, ...rest } = grant;
    return rest;
  }

  /**
   * One statement (every refresh asks): the account, its person, its tenant, its group names and the
   * person's pending deletion. Rows are mapped to entities by the ORM (`em.map`: the same conversions as a
   * find) and then to records as finds do; that mapping cost several times the statement itself, so
   * outside a transaction the records are kept by row version (`MappedRows`) and a row whose version has
   * not changed is not even sent (the statement is given the versions it already has).
   */
  async findContext(accountId: string): Promise<AccountContext | null> {
    const mapped = this.#em.isInTransaction() ? undefined : mappedRowsOf(this.#em);
    const known = mapped?.accounts.get(accountId);
    const knownPerson = known && mapped?.persons.get(known.value.record.personId);
    const knownTenant = known && mapped?.tenants.get(known.value.record.tenantId);
    const [row] = await executePrepared<ContextRow<Record<string, unknown>>>(
      this.#em,
      `${contextSelect({ versioned: true })} where a."id" = ?`,
      [
        known?.version ?? null,
        knownPerson ? known.value.record.personId : null,
        knownPerson?.version ?? null,
        knownTenant ? known.value.record.tenantId : null,
        knownTenant?.version ?? null,
        accountId,
      ],
    );
    if (!row) return null;
    // A null column is a row the statement found unchanged since `known*` was mapped from it.
    return this.#assemble(accountId, row, mapped, {
      account: row.a ? undefined : known!.value,
      person: row.p ? undefined : knownPerson!.value,
      tenant: row.t ? undefined : knownTenant!.value,
    });
  }

  /**
   * `findContext` of the token's session's account, in the statement that reads the token and its
   * session (whose row it leaves for the rotation: `leaveFamilySnapshot`). The account is not known
   * before the statement, so it cannot be given the versions it has: the rows come as JSON text, and
   * only those whose version changed are parsed and mapped.
   */
  async findByRefreshToken(
    tokenHash: string,
  ): Promise<{ session: SessionRecord; context: AccountContext | null } | null> {
    const [row] = await executePrepared<FamilyRow & Nullable<ContextRow<string>>>(
      this.#em,
      `select ${TOKEN_COLUMNS_OF('rt')}, row_to_json(s) as "s", c.*
         from "refresh_token" rt join "session" s on s."id" = rt."session_id"
         left join lateral (${contextSelect({ versioned: false })} where a."id" = s."account_id") c on true
        where rt."token_hash" = ?`,
      [tokenHash],
    );
    if (!row) return null;
    const { av, pv, tv, pid, tid, a, p, t, d, groups, ...family } = row;
    leaveFamilySnapshot(this.#em, tokenHash, family);
    const session = sessionOfRow(family.s);
    // No account, person or tenant (the lateral join found nothing): a session whose account is gone.
    if (av === null || pv === null || tv === null || pid === null || tid === null || groups === null)
      return { session, context: null };
    const mapped = this.#em.isInTransaction() ? undefined : mappedRowsOf(this.#em);
    const known = <T>(records: VersionedRecords<T> | undefined, id: string, version: string) => {
      const entry = records?.get(id);
      return entry && entry.version === version ? entry.value : undefined;
    };
    const account = known(mapped?.accounts, session.accountId, av);
    // Kept by the ids of the rows read (the account's person and tenant), whose versions these are.
    const person = known(mapped?.persons, pid, pv);
    const tenant = known(mapped?.tenants, tid, tv);
    const parse = (json: string | null) => JSON.parse(json!) as Record<string, unknown>;
    const context = this.#assemble(
      session.accountId,
      {
        av,
        pv,
        tv,
        pid,
        tid,
        a: account ? null : parse(a),
        p: person ? null : parse(p),
        t: tenant ? null : parse(t),
        d,
        groups,
      },
      mapped,
      { account, person, tenant },
    );
    return { session, context };
  }

  /** The context from a statement's row: each of `a`, `p`, `t` mapped from its JSON, or `known` when null. */
  #assemble(
    accountId: string,
    row: ContextRow<Record<string, unknown>>,
    mapped: MappedRows | undefined,
    known: {
      account?: MappedAccount | undefined;
      person?: PersonRecord | undefined;
      tenant?: MappedTenant | undefined;
    },
  ): AccountContext {
    const accountPart = row.a ? this.#mapAccount(row.a) : known.account!;
    const person = row.p ? personRecord(this.#em.map(Person, row.p) as IPerson) : known.person!;
    const tenantPart = row.t ? this.#mapTenant(row.t) : known.tenant!;
    if (mapped) {
      if (row.a) mapped.accounts.put(accountId, row.av, accountPart);
      if (row.p) mapped.persons.put(person.id, row.pv, person);
      if (row.t) mapped.tenants.put(tenantPart.record.id, row.tv, tenantPart);
    }
    // Records leave as copies: the kept ones are shared by every later read.
    const { record: account, grant: base } = structuredClone(accountPart);
    return {
      grant: { ...base, groups: [...row.groups].sort() },
      account,
      person: structuredClone(person),
      tenant: structuredClone(tenantPart.record),
      policyVersion: tenantPart.policyVersion,
      pendingDeletion: row.d ? deletionRequestRecord(this.#em.map(DeletionRequest, row.d)) : null,
    };
  }

  #mapAccount(json: Record<string, unknown>): MappedAccount {
    const account = this.#em.map(Account, json);
    const { account: _entity, groups: _groups, ...grant } = grantOf(account, []);
    return { record: accountRecord(account), grant };
  }

  #mapTenant(json: Record<string, unknown>): MappedTenant {
    const tenant = this.#em.map(Tenant, json) as ITenant;
    return { record: tenantRecordOf(tenant), policyVersion: tenant.policyVersion };
  }

  async rolesHeld(tenantId: string) {
    const accounts = await this.#em.find(Account, { tenant: tenantId }, { fields: ['roles', 'active'] });
    const keys = await this.#em.find(ApiKey, { tenant: tenantId, revokedAt: null }, { fields: ['role'] });
    return {
      byActiveAccounts: [...new Set(accounts.filter((a) => a.active).flatMap((a) => a.roles))],
      byAnyone: [...new Set([...accounts.flatMap((a) => a.roles), ...keys.map((k) => k.role)])],
    };
  }
}

type MappedAccount = { record: AccountRecord; grant: Omit<AccountGrant, 'groups'> };
type MappedTenant = { record: TenantRecord; policyVersion: number };

/**
 * Records mapped from rows, by row id, each with the version of the row it was mapped from: PostgreSQL's
 * `xmin`, the id of the transaction that wrote that row version. Every update of a row writes a new
 * version with the updating transaction's id, whoever updates it (the ORM, a raw statement, a migration),
 * so an unchanged `xmin` means an unchanged committed row (the rule the Npgsql provider's `xmin`
 * concurrency tokens rely on too). Only rows read outside a transaction are kept: inside one, a row
 * updated twice by that transaction shows the same `xmin` for both versions. Entries expire after five
 * minutes, far inside the four billion transactions it would take for an `xmin` to come round again.
 */
class VersionedRecords<T> {
  readonly #entries = new Map<string, { version: string; value: T; at: number }>();

  get(id: string): { version: string; value: T } | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (performance.now() - entry.at > VERSIONED_TTL_MS) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry;
  }

  put(id: string, version: string, value: T): void {
    this.#entries.delete(id);
    // Oldest first out (a Map iterates in insertion order; a put moves the entry to the end).
    if (this.#entries.size >= VERSIONED_MAX) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(id, { version, value, at: performance.now() });
  }
}

const VERSIONED_TTL_MS = 5 * 60_000;
const VERSIONED_MAX = 10_000;

interface MappedRows {
  accounts: VersionedRecords<MappedAccount>;
  persons: VersionedRecords<PersonRecord>;
  tenants: VersionedRecords<MappedTenant>;
}

/** One set per database connection pool (per ORM): ids and versions mean nothing across databases. */
const mappedRows = new WeakMap<object, MappedRows>();

function mappedRowsOf(em: EntityManager): MappedRows {
  const connection = em.getConnection();
  let rows = mappedRows.get(connection);
  if (!rows) {
    rows = {
      accounts: new VersionedRecords(),
      persons: new VersionedRecords(),
      tenants: new VersionedRecords(),
    };
    mappedRows.set(connection, rows);
  }
  return rows;
}

/** A context statement's row: the three rows' versions, the rows (JSON, or null when unchanged), the rest. */
interface ContextRow<Json> {
  av: string;
  pv: string;
  tv: string;
  /** The rows' ids: what their versions are kept by. */
  pid: string;
  tid: string;
  a: Json | null;
  p: Json | null;
  t: Json | null;
  d: Record<string, unknown> | null;
  groups: string[];
}

/** Every column possibly null (a left join that found nothing). */
type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * The account-context select (account, person, tenant, group names, pending deletion), to be completed by
 * a `where` on `a."id"`. Versioned: its first five parameters are the versions the caller has (account;
 * person id and version; tenant id and version), and a row whose version matches comes as null.
 * Unversioned: every row as JSON text, which the caller parses only when its version changed.
 */
function contextSelect({ versioned }: { versioned: boolean }): string {
  const row = (alias: string, unchanged: string) =>
    versioned
      ? `case when ${unchanged} then null else row_to_json(${alias}) end`
      : `row_to_json(${alias})::text`;
  return `select a."xmin"::text as "av", p."xmin"::text as "pv", t."xmin"::text as "tv",
              p."id" as "pid", t."id" as "tid",
              ${row('a', `a."xmin"::text = ?::text`)} as "a",
              ${row('p', `p."id" = ?::uuid and p."xmin"::text = ?::text`)} as "p",
              ${row('t', `t."id" = ?::uuid and t."xmin"::text = ?::text`)} as "t",
              array(select g."name" from "group_membership" m join "tenant_group" g on g."id" = m."group_id"
                     where m."account_id" = a."id") as "groups",
              (select row_to_json(d) from "deletion_request" d
                where d."person_id" = p."id" and d."status" = 'pending' limit 1) as "d"
         from "account" a join "person" p on p."id" = a."person_id" join "tenant" t on t."id" = a."tenant_id"`;
}
