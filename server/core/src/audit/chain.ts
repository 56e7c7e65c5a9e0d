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

/** The chain's version tag: a future change of the serialisation names a new one. */
const CHAIN_VERSION = 'enforcer.audit.v1';

/** The hash of an event: over its fields, its id, its place and the previous event's hash. */
export function chainHash(event: Omit<AuditRecord, 'hash'>): string {
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
      event.ip,
      event.userAgent,
      event.requestId,
      event.details,
      event.prevHash,
    ]),
  );
}

/** The tenant's last event as the chain needs it. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** An event chained after `head` (the tenant's last event, or null for its first). */
export function chainEvent(id: string, fields: AuditFields, head: ChainHead | null): AuditRecord {
  const unsealed = { id, ...fields, seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? null };
  return { ...unsealed, hash: chainHash(unsealed) };
}

/** Why a chain broke at an event. */
export type ChainBreakReason =
  /** The event's stored fields do not give its stored hash: the row was edited. */
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
      if (chainHash(event) !== event.hash) return broke('hash_mismatch');
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
