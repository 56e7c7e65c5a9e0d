import { erasePersonalFields, PERSONAL_DETAIL_KEYS } from '../../audit/chain.js';
import type { AuditRecord } from '../../audit/ports.js';
import { byPosition, type PageRequest } from '../../pagination.js';
import { erasureKeys, keyIsTheirs } from '../../privacy/erasure.js';
import type {
  DeletionRequestRecord,
  DeletionRequestStatus,
  ErasureCounts,
  PersonalTraces,
  PersonalValues,
  PrivacyStore,
} from '../../privacy/ports.js';
import type { MemoryDatabase } from './database.js';
import { inviteRecord } from './tenants.js';

/** Deletion requests and erasure over the memory tables (what `PostgresPrivacyStore` does with SQL). */
export class MemoryPrivacyStore implements PrivacyStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #requests(): Map<string, DeletionRequestRecord> {
    return this.#db.tables.deletionRequests;
  }

  async pendingOf(personId: string): Promise<DeletionRequestRecord | null> {
    for (const r of this.#requests.values()) {
      if (r.personId === personId && r.status === 'pending') return structuredClone(r);
    }
    return null;
  }

  async create(request: Omit<DeletionRequestRecord, 'id'>): Promise<DeletionRequestRecord> {
    if (request.status === 'pending' && (await this.pendingOf(request.personId))) {
      throw new Error(`person ${request.personId} already has a pending deletion request`);
    }
    const row = { ...structuredClone(request), id: crypto.randomUUID() };
    this.#requests.set(row.id, row);
    return structuredClone(row);
  }

  async find(tenantId: string, id: string): Promise<DeletionRequestRecord | null> {
    const row = this.#requests.get(id);
    return row && row.tenantId === tenantId ? structuredClone(row) : null;
  }

  async list(
    tenantId: string,
    request: PageRequest & { status?: DeletionRequestStatus | undefined },
  ): Promise<DeletionRequestRecord[]> {
    const { after } = request;
    return [...this.#requests.values()]
      .filter(
        (r) =>
          r.tenantId === tenantId &&
          (request.status === undefined || r.status === request.status) &&
          (!after || byPosition(r, after) < 0),
      )
      .sort((a, b) => byPosition(b, a))
      .slice(0, request.limit)
      .map((r) => structuredClone(r));
  }

  async due(now: Date, limit: number): Promise<DeletionRequestRecord[]> {
    return [...this.#requests.values()]
      .filter((r) => r.status === 'pending' && r.scheduledFor.getTime() <= now.getTime())
      .sort((a, b) => a.scheduledFor.getTime() - b.scheduledFor.getTime() || a.id.localeCompare(b.id))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async update(
    id: string,
    changes: Partial<Pick<DeletionRequestRecord, 'status' | 'cancelledAt' | 'completedAt' | 'processedBy'>>,
  ): Promise<void> {
    const row = this.#requests.get(id);
    if (row) this.#requests.set(id, { ...row, ...structuredClone(changes) });
  }

  async graceDays(tenantId: string): Promise<number | null> {
    return this.#db.tables.deletionGrace.get(tenantId) ?? null;
  }

  async setGraceDays(tenantId: string, days: number | null): Promise<void> {
    if (days === null) this.#db.tables.deletionGrace.delete(tenantId);
    else this.#db.tables.deletionGrace.set(tenantId, days);
  }

  async personalValues(personId: string): Promise<PersonalValues> {
    const { tables } = this.#db;
    const accountIds = [...tables.accounts.values()].filter((a) => a.personId === personId).map((a) => a.id);
    const identities = [...tables.identities.values()].filter((i) => i.personId === personId);
    const email = tables.persons.get(personId)?.email ?? null;
    const clients = new Map<string, { ip: string | null; userAgent: string | null }>();
    const seen = (ip: string | null, userAgent: string | null) => {
      if (ip !== null || userAgent !== null) clients.set(JSON.stringify([ip, userAgent]), { ip, userAgent });
    };
    const theirs = new Set(accountIds);
    for (const s of tables.sessions.values()) {
      if (s.personId === personId || (s.actorAccountId && theirs.has(s.actorAccountId)))
        seen(s.ip, s.userAgent);
    }
    for (const c of tables.mfaChallenges.values()) if (c.personId === personId) seen(c.ip, c.userAgent);
    const about = aboutPerson(personId, accountIds);
    for (const e of tables.audit) if (about(e)) seen(e.ip, e.userAgent);
    return {
      personId,
      accountIds,
      emails: unique([email, ...identities.map((i) => i.email)]),
      phones: unique(identities.filter((i) => i.provider === 'phone_otp').map((i) => i.subject)),
      subjects: unique(identities.map((i) => i.subject)),
      clients: [...clients.values()],
    };
  }

  async traces(values: PersonalValues): Promise<PersonalTraces> {
    const { tables } = this.#db;
    const addresses = new Set([...values.emails, ...values.phones]);
    const emails = new Set(values.emails);
    const accounts = new Set(values.accountIds);
    const oldestFirst = <R extends { createdAt: Date; id: string }>(rows: R[]) =>
      rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    return {
      sessions: oldestFirst(
        [...tables.sessions.values()]
          .filter((s) => s.personId === values.personId)
          .map((s) => structuredClone(s)),
      ),
      invites: oldestFirst(
        [...tables.invites.values()]
          .filter(
            (i) =>
              (i.email !== null && addresses.has(i.email)) ||
              (i.phone !== null && addresses.has(i.phone)) ||
              (!!i.acceptedBy && accounts.has(i.acceptedBy)),
          )
          .map((i) => ({ ...inviteRecord(i), acceptedBy: i.acceptedBy ?? null })),
      ),
      codes: oldestFirst(
        [...tables.otpChallenges.values()]
          .filter((c) => addresses.has(c.address))
          .map((c) => structuredClone(c)),
      ),
      magicLinks: oldestFirst(
        [...tables.magicLinks.values()].filter((l) => emails.has(l.email)).map((l) => structuredClone(l)),
      ),
    };
  }

  async erase(values: PersonalValues): Promise<ErasureCounts> {
    const { tables } = this.#db;
    const { personId } = values;
    const accounts = new Set(values.accountIds);
    const addresses = new Set([...values.emails, ...values.phones]);
    const keys = erasureKeys(values);
    const counts: ErasureCounts = {};
    const count = (table: string, n: number) => {
      if (n > 0) counts[table] = (counts[table] ?? 0) + n;
    };
    const dropFrom = <V>(table: string, map: Map<string, V>, theirs: (row: V, key: string) => boolean) => {
      let n = 0;
      for (const [key, row] of map) {
        if (theirs(row, key)) {
          map.delete(key);
          n++;
        }
      }
      count(table, n);
    };

    const about = aboutPerson(personId, values.accountIds);
    const fromTheirClient = (e: AuditRecord) =>
      (e.ip !== null || e.userAgent !== null) &&
      values.clients.some((c) => c.ip === e.ip && c.userAgent === e.userAgent);
    const namesThem = (e: AuditRecord) =>
      PERSONAL_DETAIL_KEYS.some((k) => {
        const v = e.details[k];
        return (
          typeof v === 'string' &&
          (addresses.has(v.toLowerCase()) || addresses.has(v) || values.subjects.includes(v))
        );
      });
    let events = 0;
    tables.audit = tables.audit.map((e) => {
      if (e.personalSalt === null || !(about(e) || fromTheirClient(e) || namesThem(e))) return e;
      events++;
      return erasePersonalFields(e);
    });
    count('audit_event', events);

    const person = tables.persons.get(personId);
    if (person) {
      tables.persons.set(personId, { ...person, email: null, emailVerified: false, profile: undefined });
      count('person', 1);
    }
    for (const account of tables.accounts.values()) {
      if (accounts.has(account.id) && account.status.statusReason !== null) {
        account.status = { ...account.status, statusReason: null };
      }
    }
    dropFrom('person_identity', tables.identities, (i) => i.personId === personId);
    dropFrom('passkey_credential', tables.passkeys, (p) => p.personId === personId);
    dropFrom('password_credential', tables.passwords, (p) => p.personId === personId);
    dropFrom('totp_credential', tables.totp, (t) => t.personId === personId);
    dropFrom('recovery_code', tables.recoveryCodes, (_codes, owner) => owner === personId);
    dropFrom('mfa_challenge', tables.mfaChallenges, (c) => c.personId === personId);
    const sessionIds = new Set<string>();
    for (const session of tables.sessions.values()) {
      // Their own sessions, and those their accounts held as someone else (the client was theirs).
      const actedByThem = !!session.actorAccountId && accounts.has(session.actorAccountId);
      if (session.personId !== personId && !actedByThem) continue;
      if (session.personId === personId) sessionIds.add(session.id);
      if (session.ip !== null || session.userAgent !== null) {
        tables.sessions.set(session.id, { ...session, ip: null, userAgent: null });
        count('session', 1);
      }
    }
    dropFrom('refresh_token', tables.refreshTokens, (t) => {
      if (!sessionIds.has(t.sessionId)) return false;
      tables.refreshTokenIds.delete(t.tokenHash);
      return true;
    });
    dropFrom('magic_link_token', tables.magicLinks, (l) => addresses.has(l.email));
    dropFrom('otp_challenge', tables.otpChallenges, (c) => addresses.has(c.address));
    dropFrom(
      'auth_challenge',
      tables.challenges,
      (c) => c.personId === personId || (c.data !== null && mentions(JSON.stringify(c.data), values)),
    );
    dropFrom(
      'invite',
      tables.invites,
      (i) =>
        (i.email !== null && addresses.has(i.email)) ||
        (i.phone !== null && addresses.has(i.phone)) ||
        (!!i.acceptedBy && accounts.has(i.acceptedBy)),
    );
    dropFrom(
      'auth_throttle',
      tables.throttle,
      (t, key) => keyIsTheirs(key, keys) || (t.identifier !== null && keyIsTheirs(`:${t.identifier}`, keys)),
    );
    dropFrom('send_counter', tables.sends, (_c, key) => keyIsTheirs(key, keys));
    dropFrom('idempotency_key', tables.idempotencyKeys, (row) => mentions(JSON.stringify(row.body), values));
    // Social sign-in transactions (#17): the person's links, and identities a provider proved for them.
    dropFrom(
      'oauth_flow',
      tables.oauthFlows,
      (f) => f.personId === personId || (f.identity !== null && mentions(JSON.stringify(f.identity), values)),
    );
    return counts;
  }
}

const unique = (values: (string | null)[]): string[] => [
  ...new Set(values.filter((v): v is string => v !== null && v !== '')),
];

/** Events whose actor or target is the person or one of their accounts. */
const aboutPerson = (personId: string, accountIds: string[]) => {
  const ids = new Set([personId, ...accountIds]);
  return (e: AuditRecord) =>
    (e.actorId !== null && ids.has(e.actorId) && (e.actorType === 'account' || e.actorType === 'person')) ||
    (e.targetId !== null && ids.has(e.targetId) && (e.targetType === 'account' || e.targetType === 'person'));
};

/** Whether a stored JSON text names the person (their id, an account id, an email, phone or subject). */
const mentions = (json: string, values: PersonalValues): boolean =>
  [values.personId, ...values.accountIds, ...values.emails, ...values.phones, ...values.subjects].some((v) =>
    json.includes(v),
  );
