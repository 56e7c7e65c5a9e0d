import { describe, expect, it } from 'vitest';
import {
  accountFailureOutcome,
  clientDelaySeconds,
  countsAsGuess,
  gateRefusal,
  loginIdentifier,
} from './rules.js';

describe('sign-in throttle rules', () => {
  it.each([
    [1, undefined],
    [5, undefined],
    [6, { kind: 'delay', seconds: 30 }],
    [7, { kind: 'delay', seconds: 60 }],
    [10, { kind: 'delay', seconds: 480 }],
    [11, { kind: 'delay', seconds: 900 }],
    [14, { kind: 'delay', seconds: 900 }],
    [15, { kind: 'lock' }],
  ])('the account failure number %i does %o', (failures, outcome) => {
    expect(accountFailureOutcome(failures, false)).toEqual(outcome);
  });

  it('a locked account counts on, and nothing more happens', () => {
    expect(accountFailureOutcome(40, true)).toBeUndefined();
  });

  it.each([
    [100, undefined],
    [101, 60],
    [102, 120],
    [120, 3600],
  ])('the client failure number %i delays %o seconds', (failures, seconds) => {
    expect(clientDelaySeconds(failures)).toBe(seconds);
  });

  it('gates on a lock, then on a delay still running (Retry-After rounded up)', () => {
    const now = 1_000_000;
    expect(gateRefusal({ lockedAt: now - 1, blockedUntil: now + 5000 }, now)?.code).toBe('account_locked');
    expect(gateRefusal({ lockedAt: null, blockedUntil: now + 1500 }, now)).toMatchObject({
      code: 'rate_limited',
      headers: { 'retry-after': '2' },
    });
    expect(gateRefusal({ lockedAt: null, blockedUntil: now }, now)).toBeUndefined();
    expect(gateRefusal(undefined, now)).toBeUndefined();
  });

  it('counts only refusals that checked a secret, under the identifier the attempt names', () => {
    expect(countsAsGuess('wrong_password')).toBe(true);
    expect(countsAsGuess('no_live_code')).toBe(false);
    expect(loginIdentifier({ email: 'a@example.com' })).toBe('a@example.com');
    expect(loginIdentifier({ phone: '+15550100' })).toBe('phone:+15550100');
    expect(loginIdentifier({ id_token: 'x' })).toBeNull();
  });
});
