import type { Position } from '@enforcer/core';

// Cursors and pages are the core's (one format for every store); this file keeps the MikroORM side.
export { decodeCursor, encodeCursor, type Position, pageRequest, toPage } from '@enforcer/core';

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
