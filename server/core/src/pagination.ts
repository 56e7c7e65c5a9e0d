import type { Paginated } from '@enforcer/contract';
import { type Plan, toPredicate } from '@enforcer/contract/policy';
import { AppError } from './errors.js';
import { base64url } from './platform.js';

/**
 * Keyset pagination over `(createdAt, id)`, oldest first, for every list of every store. The cursor is
 * opaque to clients (base64url of the last row's position), so rows added while paging neither repeat nor
 * shift a page; PostgreSQL answers a page with one index range scan, the memory store with a filter.
 */
export interface Position {
  createdAt: Date;
  id: string;
}

/** What a store's list method is asked for: the rows after `after`, at most `limit` of them. */
export interface PageRequest {
  after: Position | undefined;
  /** The page size plus one: a store returns one row more than the page when there is more. */
  limit: number;
}

/** What a list may show: the engine's plan of `action` on the store's resource type (tenant included). */
export interface VisibleRequest extends PageRequest {
  visible: Plan;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const encodeCursor = (row: Position): string =>
  base64url(new TextEncoder().encode(JSON.stringify([row.createdAt.getTime(), row.id])));

function fromBase64url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The position a cursor names; a cursor that is not one of ours is a 400 naming `query.cursor`. */
export function decodeCursor(cursor: string | undefined): Position | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () =>
    new AppError('validation_failed', 'The cursor is not valid', {
      errors: [{ path: 'query.cursor', message: 'pass back pagination.next_cursor unchanged' }],
    });
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
    parsed = JSON.parse(fromBase64url(cursor));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !Number.isSafeInteger(parsed[0]) ||
    typeof parsed[1] !== 'string' ||
    !uuid.test(parsed[1])
  ) {
    throw invalid();
  }
  const createdAt = new Date(parsed[0] as number);
  if (Number.isNaN(createdAt.getTime())) throw invalid();
  return { createdAt, id: parsed[1] };
}

/** A client's `{ limit, cursor }` as a store's page request. */
export const pageRequest = (query: { limit: number; cursor?: string | undefined }): PageRequest => ({
  after: decodeCursor(query.cursor),
  limit: query.limit + 1,
});

/** `rows` was fetched with `limit + 1`: the page, and a cursor when there is more. */
export function toPage<R extends Position, T>(rows: R[], limit: number, map: (row: R) => T): Paginated<T> {
  const hasMore = rows.length > limit;
  const shown = hasMore ? rows.slice(0, limit) : rows;
  const last = shown.at(-1);
  return {
    data: shown.map(map),
    pagination: { next_cursor: hasMore && last ? encodeCursor(last) : null, has_more: hasMore },
  };
}

/** Page order: oldest first, then by id. */
export const byPosition = (a: Position, b: Position): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * A page of in-memory records the way PostgreSQL answers it: those the plan lets through (the predicate
 * adapter of the same plan the SQL adapter turns into a WHERE clause), after the position, in page order.
 */
export function pageInMemory<R extends Position>(
  rows: Iterable<R>,
  request: PageRequest & { visible?: Plan },
  attributesOf: (row: R) => Record<string, unknown>,
): R[] {
  const visible = request.visible ? toPredicate(request.visible) : () => true;
  const after = request.after;
  return [...rows]
    .filter((row) => (!after || byPosition(row, after) > 0) && visible(attributesOf(row)))
    .sort(byPosition)
    .slice(0, request.limit);
}
