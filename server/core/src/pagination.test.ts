import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { decodeCursor, encodeCursor, pageInMemory, toPage } from './pagination.js';

const row = (ms: number, id: string) => ({ createdAt: new Date(ms), id });
const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'] as const;

describe('keyset pages', () => {
  it('round-trips a position through the opaque cursor', () => {
    const position = row(1_700_000_000_123, ids[0]);
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each(['', '!!', 'bm90IGpzb24', encodeCursor(row(1, 'not-a-uuid')), 'W251bGwsbnVsbF0'])(
    'refuses %j as 400 naming query.cursor',
    (cursor) => {
      const error = (() => {
        try {
          decodeCursor(cursor);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('validation_failed');
      expect((error as AppError).errors?.[0]?.path).toBe('query.cursor');
    },
  );

  it('pages memory rows in (createdAt, id) order, after the cursor, filtered by the plan', () => {
    const rows = [row(2, ids[1]), row(2, ids[0]), row(1, ids[1])].map((r, i) => ({ ...r, n: i }));
    const first = pageInMemory(rows, { after: undefined, limit: 2 }, () => ({}));
    expect(first.map((r) => r.n)).toEqual([2, 1]);
    const page = toPage(first, 1, (r) => r.n);
    expect(page.pagination.has_more).toBe(true);
    const rest = pageInMemory(
      rows,
      { after: decodeCursor(page.pagination.next_cursor!), limit: 2 },
      () => ({}),
    );
    expect(rest.map((r) => r.n)).toEqual([1, 0]);
    const tenant = { attribute: 'tenant_id', value: 't1' };
    const plan = (decision: 'always' | 'never') => ({ resource_type: 'x', tenant, decision });
    const attrs = (r: { n: number }) => ({ tenant_id: r.n === 0 ? 't2' : 't1' });
    expect(pageInMemory(rows, { after: undefined, limit: 5, visible: plan('never') }, attrs)).toEqual([]);
    // The plan's tenant condition holds even when the decision is `always`.
    expect(
      pageInMemory(rows, { after: undefined, limit: 5, visible: plan('always') }, attrs).map((r) => r.n),
    ).toEqual([2, 1]);
  });
});
