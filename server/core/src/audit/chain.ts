import type { AuditFields, AuditRecord } from './ports.js';
import { sha256Hex } from './sha256.js';

/**
 * Tamper evidence: each tenant's events form one hash chain. An event's hash is SHA-256 over a canonical
 * serialisation of every stored field and the hash of the tenant's previous event, so editing, inserting or
 * deleting a row in the database breaks the chain at that row. Written once here for both stores: the
 * PostgreSQL store chains events as its transaction flushes them (under a per-tenant lock), the memory
 * store as it appends them; `verifyAuditChain` walks a chain back.
 */

/** JSON with object keys sorted at every level: one text per value, whatever order the keys came in. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The chain's version tag: a future change of the serialisation names a new one. v2 (privacy, #15): the
 * personal fields are hashed through a salted commitment (`personalDigest`), so erasing them leaves the
 * chain whole; v1 hashed them raw (Migration20261206180000_audit_personal_commitment re-chained v1 events).
 */
const CHAIN_VERSION = 'enforcer.audit.v2';
const PERSONAL_VERSION = 'enforcer.audit.personal.v1';

/**
 * The keys of an event's `details` that hold personal data (what a failed sign-in, a reset request or a
 * self-serve tenant names the person by). Part of the chain's version: adding a key re-chains (a new
 * CHAIN_VERSION and a migration), because the chain hashes these keys through the commitment only.
 */
export const PERSONAL_DETAIL_KEYS: readonly string[] = [
  'email',
  'phone',
  'address',
  'wallet_address',
  'subject',
  'display_name',
];

const isPersonalKey = (key: string): boolean => PERSONAL_DETAIL_KEYS.includes(key);

/** The details without their personal keys: what the chain hashes directly. */
export const publicDetails = (details: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(details).filter(([key]) => !isPersonalKey(key)));

const personalDetails = (details: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(details).filter(([key]) => isPersonalKey(key)));

/** The personal fields of an event, what erasure removes. */
type PersonalFields = Pick<AuditRecord, 'ip' | 'userAgent' | 'details'>;

const holdsPersonalData = (event: PersonalFields): boolean =>
  event.ip !== null || event.userAgent !== null || Object.keys(personalDetails(event.details)).length > 0;

/**
 * The salted commitment to an event's personal fields. The salt (128 random bits, kept in the row) makes
 * the digest useless for guessing the values (an IPv4 address alone has only 2^32): once erasure deletes
 * the salt with the values, nothing in the row leads back to them.
 */
export function personalDigest(salt: string, event: PersonalFields): string {
  return sha256Hex(
    canonicalJson([PERSONAL_VERSION, salt, event.ip, event.userAgent, personalDetails(event.details)]),
  );
}

/** A fresh commitment salt (WebCrypto: both stores, Node and browsers). */
export function newPersonalSalt(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The hash of an event: over its fields (personal ones through their commitment), its id, its place and the previous event's hash. */
export function chainHash(event: Omit<AuditRecord, 'hash' | 'personalSalt'>): string {
  return sha256Hex(
    canonicalJson([
      CHAIN_VERSION,
      event.tenantId,
      event.seq,
      event.id,
      event.createdAt.toISOString(),
      event.action,
      event.outcome,
      event.actorType,
      event.actorId,
      event.targetType,
      event.targetId,
      event.requestId,
      publicDetails(event.details),
      event.personalDigest,
      event.prevHash,
    ]),
  );
}

/**
 * Whether an event's personal fields agree with its commitment: with its salt, they must give the digest;
 * erased (no salt), there must be none left. So an edit of a personal field is caught; only removing all of
 * them with the salt (what erasure does) is not, and it adds nothing false to the log.
 */
export function personalFieldsIntact(event: AuditRecord): boolean {
  if (event.personalSalt === null) return !holdsPersonalData(event);
  return personalDigest(event.personalSalt, event) === event.personalDigest;
}

/**
 * The event with its personal data erased (#15): ip and user agent gone, personal detail keys removed,
 * the salt deleted; the digest and the hash stay, so the chain still verifies.
 */
export function erasePersonalFields(event: AuditRecord): AuditRecord {
  return { ...event, ip: null, userAgent: null, details: publicDetails(event.details), personalSalt: null };
}

/** The tenant's last event as the chain needs it. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** An event chained after `head` (the tenant's last event, or null for its first). */
export function chainEvent(
  id: string,
  fields: AuditFields,
  head: ChainHead | null,
  salt: string = newPersonalSalt(),
): AuditRecord {
  const unsealed = {
    id,
    ...fields,
    seq: (head?.seq ?? 0) + 1,
    prevHash: head?.hash ?? null,
    personalSalt: salt,
    personalDigest: personalDigest(salt, fields),
  };
  return { ...unsealed, hash: chainHash(unsealed) };
}

/** Why a chain broke at an event. */
export type ChainBreakReason =
  /** The event's stored fields do not give its stored hash (or its personal fields their commitment): the row was edited. */
  | 'hash_mismatch'
  /** The event does not name the previous event's hash: a row before it was edited or replaced. */
  | 'prev_hash_mismatch'
  /** Sequence numbers jump: an event was deleted (or inserted out of the chain). */
  | 'missing_event';

export interface ChainBreak {
  id: string;
  seq: number;
  reason: ChainBreakReason;
}

export interface ChainVerification {
  /** Events checked until the first break (all of them when none). */
  checked: number;
  /** The first event checked (after a purge, the oldest kept one: its `prevHash` is taken as given). */
  firstSeq: number | null;
  lastSeq: number | null;
  /** The hash of the last event checked: kept outside the database, it shows the tail was not cut off later. */
  lastHash: string | null;
  firstBreak: ChainBreak | null;
}

/**
 * Walks a chain in `seq` order, a page at a time (bounded memory), and reports the first break. The oldest
 * remaining event starts the walk: retention purges delete the head of a chain, and each purge is itself an
 * `audit.events_purged` event in the chain.
 */
export async function verifyAuditChain(
  readPage: (afterSeq: number, limit: number) => Promise<AuditRecord[]>,
  pageSize = 500,
): Promise<ChainVerification> {
  let previous: AuditRecord | null = null;
  let checked = 0;
  let firstSeq: number | null = null;
  for (;;) {
    const page = await readPage(previous?.seq ?? 0, pageSize);
    for (const event of page) {
      firstSeq ??= event.seq;
      const broke = (reason: ChainBreakReason): ChainVerification => ({
        checked,
        firstSeq,
        lastSeq: previous?.seq ?? null,
        lastHash: previous?.hash ?? null,
        firstBreak: { id: event.id, seq: event.seq, reason },
      });
      if (!personalFieldsIntact(event) || chainHash(event) !== event.hash) return broke('hash_mismatch');
      if (previous && event.seq !== previous.seq + 1) return broke('missing_event');
      if (previous && event.prevHash !== previous.hash) return broke('prev_hash_mismatch');
      checked++;
      previous = event;
    }
    if (page.length < pageSize) {
      return {
        checked,
        firstSeq,
        lastSeq: previous?.seq ?? null,
        lastHash: previous?.hash ?? null,
        firstBreak: null,
      };
    }
  }
}
