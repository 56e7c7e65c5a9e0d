import type { Paginated } from '@enforcer/contract';
import { AppError } from './errors.js';

/**
 * Keyset pagination over `(createdAt, id)`, oldest first. The cursor is opaque to clients
 * (base64url of the last row's position), so rows added while paging neither repeat nor
 * shift a page, and a page costs one index range scan however deep it is.
 */
export interface Position {
  createdAt: Date;
  id: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const encodeCursor = (row: Position): string =>
  Buffer.from(JSON.stringify([row.createdAt.getTime(), row.id]), 'utf8').toString('base64url');

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
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
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

/** The MikroORM condition "after this position" (nothing when there is no cursor). */
export const afterPosition = (position: Position | undefined): Record<string, unknown> =>
  position
    ? {
        $or: [
          { createdAt: { $gt: position.createdAt } },
          { createdAt: position.createdAt, id: { $gt: position.id } },
        ],
      }
    : {};

/** The order every paginated list uses. */
export const pageOrder = { createdAt: 'asc', id: 'asc' } as const;

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
