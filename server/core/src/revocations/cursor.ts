import { AppError } from '../errors.js';
import { base64url } from '../platform.js';

/**
 * Where a reader of the change log stands, as PostgreSQL snapshots (`pg_snapshot` text:
 * `xmin:xmax:xip,...`):
 * - `seen`: everything visible in this snapshot has been read (null: nothing yet, so the first read
 *   starts with the retention window);
 * - `pinned`: while paging, the snapshot the pages are cut from (null between polls);
 * - `after`: while paging, the last event read (by `xid`, then `id`).
 * Opaque to clients: base64url of JSON. A store that is not PostgreSQL (memory) numbers its writes the
 * same way and answers snapshots in this format, so one cursor and one set of paging rules serve both.
 */
export interface FeedCursor {
  seen: string | null;
  pinned: string | null;
  after: { xid: bigint; id: bigint };
}

export const startCursor: FeedCursor = { seen: null, pinned: null, after: { xid: 0n, id: 0n } };

const SNAPSHOT = /^(\d{1,19}):(\d{1,19}):(\d{1,19}(,\d{1,19})*)?$/;
const DECIMAL = /^\d{1,19}$/;
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/**
 * A snapshot short enough for a cursor. One with a long list of running transactions becomes the
 * coarser `xmin:xmin:`: it counts fewer events as seen, so a few may be read twice (harmless: the
 * feed is idempotent), never skipped.
 */
export function compactSnapshot(snapshot: string): string {
  if (snapshot.length <= 1024) return snapshot;
  const xmin = snapshot.slice(0, snapshot.indexOf(':'));
  return `${xmin}:${xmin}:`;
}

/** The `xmin` of a snapshot: every event not visible in it has an `xid` at least this. */
export const snapshotXmin = (snapshot: string): bigint => BigInt(snapshot.slice(0, snapshot.indexOf(':')));

/**
 * `pg_visible_in_snapshot`: was the transaction `xid` committed as of `snapshot`? Everything before `xmin`
 * was; nothing from `xmax` on was; in between, all but the listed running ones.
 */
export function visibleInSnapshot(xid: bigint, snapshot: string): boolean {
  const [xmin, xmax, xip] = snapshot.split(':') as [string, string, string];
  if (xid < BigInt(xmin)) return true;
  if (xid >= BigInt(xmax)) return false;
  return !xip.split(',').some((running) => running !== '' && BigInt(running) === xid);
}

export const encodeFeedCursor = (cursor: FeedCursor): string =>
  base64url(
    new TextEncoder().encode(
      JSON.stringify([cursor.seen, cursor.pinned, cursor.after.xid.toString(), cursor.after.id.toString()]),
    ),
  );

function validSnapshot(value: unknown): value is string | null {
  if (value === null) return true;
  if (typeof value !== 'string') return false;
  const match = SNAPSHOT.exec(value);
  if (!match) return false;
  const xmin = BigInt(match[1]!);
  const xmax = BigInt(match[2]!);
  const xip = match[3] ? match[3].split(',').map(BigInt) : [];
  return xmin <= xmax && xmax <= MAX_BIGINT && xip.every((x) => x >= xmin && x < xmax);
}

/** The position a cursor names; one that is not ours is a 400 naming `query.cursor`. */
export function decodeFeedCursor(cursor: string): FeedCursor {
  const invalid = () =>
    new AppError('validation_failed', 'The cursor is not valid', {
      errors: [{ path: 'query.cursor', message: 'pass back next_cursor unchanged' }],
    });
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw invalid();
  const [seen, pinned, xid, id] = parsed as unknown[];
  if (!validSnapshot(seen) || !validSnapshot(pinned)) throw invalid();
  if (typeof xid !== 'string' || typeof id !== 'string' || !DECIMAL.test(xid) || !DECIMAL.test(id))
    throw invalid();
  const after = { xid: BigInt(xid), id: BigInt(id) };
  if (after.xid > MAX_BIGINT || after.id > MAX_BIGINT) throw invalid();
  return { seen, pinned, after };
}
