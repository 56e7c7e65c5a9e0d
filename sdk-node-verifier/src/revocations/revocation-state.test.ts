import { describe, expect, it } from 'vitest';
import { resolveGrant } from '../principal';
import type { AccessTokenClaims } from '../token/read-claims';
import { RevocationState } from './revocation-state';

const claims = (over: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  iss: 'i',
  aud: 'a',
  sub: 'acc-1',
  person_id: 'p',
  tenant_id: 't',
  sid: 'sid-1',
  roles: ['member'],
  groups: ['verified'],
  amr: ['otp'],
  grant_version: 3,
  iat: 0,
  exp: 1,
  jti: 'j',
  ...over,
});

const grant = (over: Record<string, unknown> = {}) => ({
  account_id: 'acc-1',
  active: true,
  deleted: false,
  roles: ['admin'],
  groups: [],
  grant_version: 3,
  changed_at: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('resolveGrant: which roles and groups decide', () => {
  it('the token, when the feed says nothing about the account', () => {
    expect(resolveGrant(claims(), new RevocationState())).toMatchObject({
      roles: ['member'],
      groups: ['verified'],
    });
  });

  it('the feed, when its grant is at least as new as the token (the server decides with the current grant)', () => {
    const state = new RevocationState();
    state.apply({ sessions: [], accounts: [grant()] }, 0);
    expect(resolveGrant(claims(), state)).toMatchObject({ roles: ['admin'], groups: [] });
    expect(resolveGrant(claims({ grant_version: 2 }), state)).toMatchObject({ roles: ['admin'] });
  });

  it('the token, when it was minted after the grant the feed reported', () => {
    const state = new RevocationState();
    state.apply({ sessions: [], accounts: [grant({ grant_version: 3 })] }, 0);
    expect(resolveGrant(claims({ grant_version: 4 }), state)).toMatchObject({ roles: ['member'] });
  });

  it('revoked for an ended session or a deleted account; account_inactive for a deactivated one', () => {
    const state = new RevocationState();
    state.apply(
      {
        sessions: [{ session_id: 'sid-1', account_id: 'acc-1', revoked_at: '2026-01-01T00:00:00.000Z' }],
        accounts: [],
      },
      0,
    );
    expect(() => resolveGrant(claims(), state)).toThrow(expect.objectContaining({ code: 'revoked' }));
    const deleted = new RevocationState();
    deleted.apply({ sessions: [], accounts: [grant({ deleted: true, active: false, grant_version: 0 })] }, 0);
    expect(() => resolveGrant(claims({ grant_version: 9 }), deleted)).toThrow(
      expect.objectContaining({ code: 'revoked' }),
    );
    const inactive = new RevocationState();
    inactive.apply({ sessions: [], accounts: [grant({ active: false, grant_version: 4 })] }, 0);
    expect(() => resolveGrant(claims(), inactive)).toThrow(
      expect.objectContaining({ code: 'account_inactive' }),
    );
    // A token minted after a reactivation the feed has not reported yet carries the newer grant.
    expect(resolveGrant(claims({ grant_version: 5 }), inactive)).toMatchObject({ roles: ['member'] });
  });
});

describe('RevocationState', () => {
  it('changes generation on every change, not on empty pages', () => {
    const state = new RevocationState();
    state.apply({ sessions: [], accounts: [] }, 0);
    expect(state.generation).toBe(0);
    state.apply({ sessions: [], accounts: [grant()] }, 0);
    expect(state.generation).toBe(1);
  });

  it('forgets entries after the retention, oldest first', () => {
    const state = new RevocationState();
    state.apply(
      {
        sessions: [{ session_id: 's1', account_id: 'a', revoked_at: '2026-01-01T00:00:00.000Z' }],
        accounts: [grant()],
      },
      1000,
    );
    state.apply(
      {
        sessions: [{ session_id: 's2', account_id: 'a', revoked_at: '2026-01-01T00:00:00.000Z' }],
        accounts: [],
      },
      5000,
    );
    state.prune(4000, 2000); // cutoff 2000: the first page goes
    expect([...state.sessions.keys()]).toEqual(['s2']);
    expect(state.accounts.size).toBe(0);
    expect(state.generation).toBe(3);
    state.prune(4000, 2000);
    expect(state.generation).toBe(3);
  });
});
