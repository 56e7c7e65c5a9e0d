import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  compactSnapshot,
  decodeFeedCursor,
  encodeFeedCursor,
  snapshotXmin,
  startCursor,
  visibleInSnapshot,
} from './cursor.js';

describe('revocation feed cursor', () => {
  it('round-trips', () => {
    const cursor = { seen: '10:15:11,13', pinned: '12:20:', after: { xid: 13n, id: 9_000_000_000n } };
    expect(decodeFeedCursor(encodeFeedCursor(cursor))).toEqual(cursor);
    expect(decodeFeedCursor(encodeFeedCursor(startCursor))).toEqual(startCursor);
  });

  it.each([
    ['not base64url', 'a+b'],
    ['not JSON', Buffer.from('[1,').toString('base64url')],
    ['wrong arity', Buffer.from('[null,null,"0"]').toString('base64url')],
    ['a snapshot that is not one', Buffer.from('["1:2:x",null,"0","0"]').toString('base64url')],
    ['xmin after xmax', Buffer.from('["9:2:",null,"0","0"]').toString('base64url')],
    ['a running xid outside [xmin, xmax)', Buffer.from('["1:5:7",null,"0","0"]').toString('base64url')],
    ['numbers instead of strings', Buffer.from('[null,null,0,0]').toString('base64url')],
    ['out of bigint range', Buffer.from('[null,null,"9999999999999999999","0"]').toString('base64url')],
  ])('refuses %s with a 400 naming query.cursor', (_what, cursor) => {
    expect(() => decodeFeedCursor(cursor)).toThrow(AppError);
    try {
      decodeFeedCursor(cursor);
    } catch (error) {
      expect(error).toMatchObject({ code: 'validation_failed', errors: [{ path: 'query.cursor' }] });
    }
  });

  it('coarsens a snapshot with a long list of running transactions to xmin:xmin: (never skips, may repeat)', () => {
    const xips = Array.from({ length: 200 }, (_, i) => String(1_000_000 + i)).join(',');
    const long = `1000000:1000300:${xips}`;
    expect(compactSnapshot(long)).toBe('1000000:1000000:');
    expect(compactSnapshot('5:9:6')).toBe('5:9:6');
    expect(snapshotXmin(long)).toBe(1_000_000n);
  });

  it('decides visibility as pg_visible_in_snapshot does', () => {
    expect([4n, 5n, 6n, 7n, 9n].map((xid) => visibleInSnapshot(xid, '5:9:6'))).toEqual([
      true,
      true,
      false,
      true,
      false,
    ]);
    expect(visibleInSnapshot(3n, '3:3:')).toBe(false);
  });
});
