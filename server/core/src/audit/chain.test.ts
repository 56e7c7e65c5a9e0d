import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainEvent, verifyAuditChain } from './chain.js';
import { auditFields, outcomeOfAction } from './ports.js';
import { sha256Hex } from './sha256.js';

describe('sha256Hex', () => {
  it.each(['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'é✓ 🔑'.repeat(40)])(
    'agrees with node:crypto on %j',
    (text) => {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    },
  );
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('outcomeOfAction', () => {
  it.each([
    ['auth.login.failed', 'failure'],
    ['auth.password.change_failed', 'failure'],
    ['auth.refresh_token.reused', 'failure'],
    ['auth.invite.refused', 'failure'],
    ['auth.passkey.counter_regression', 'failure'],
    ['auth.login.succeeded', 'success'],
    ['auth.login.mfa_required', 'success'],
    ['account.lock.expired', 'success'],
  ])('%s is a %s', (action, outcome) => {
    expect(outcomeOfAction(action)).toBe(outcome);
  });
});

describe('the hash chain', () => {
  const at = new Date('2030-01-01T00:00:00Z');
  const chain = () => {
    const events = [];
    let head = null;
    for (let i = 0; i < 5; i++) {
      const event = chainEvent(
        `00000000-0000-4000-8000-00000000000${i}`,
        auditFields({ action: `test.${i}`, actor: { type: 'system' }, tenantId: 't', details: { i } }, at),
        head,
      );
      events.push(event);
      head = { seq: event.seq, hash: event.hash };
    }
    return events;
  };
  const verify = (events: ReturnType<typeof chain>, pageSize = 2) =>
    verifyAuditChain(
      async (afterSeq, limit) => events.filter((e) => e.seq > afterSeq).slice(0, limit),
      pageSize,
    );

  it('links each event to the one before', async () => {
    const events = chain();
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events[0]!.prevHash).toBeNull();
    expect(events[3]!.prevHash).toBe(events[2]!.hash);
    expect(await verify(events)).toMatchObject({ checked: 5, firstSeq: 1, lastSeq: 5, firstBreak: null });
  });

  it('reports an edited field, a replaced hash and a deleted event, at the first one', async () => {
    const edited = chain();
    edited[2] = { ...edited[2]!, details: { i: 99 } };
    expect((await verify(edited)).firstBreak).toEqual({ id: edited[2]!.id, seq: 3, reason: 'hash_mismatch' });

    // Rewriting an event with a hash that matches its new content breaks the link of the next one.
    const rewritten = chain();
    const forged = chainEvent(
      rewritten[1]!.id,
      { ...rewritten[1]!, ip: '203.0.113.9' },
      {
        seq: 1,
        hash: rewritten[0]!.hash,
      },
    );
    rewritten[1] = forged;
    expect((await verify(rewritten)).firstBreak).toMatchObject({ seq: 3, reason: 'prev_hash_mismatch' });

    const deleted = chain().filter((e) => e.seq !== 4);
    expect((await verify(deleted)).firstBreak).toMatchObject({ seq: 5, reason: 'missing_event' });
  });

  it('starts after a purge at the oldest kept event', async () => {
    const kept = chain().filter((e) => e.seq > 2);
    expect(await verify(kept)).toMatchObject({ checked: 3, firstSeq: 3, firstBreak: null });
  });
});
