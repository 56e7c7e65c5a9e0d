import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainEvent, erasePersonalFields, personalDigest, verifyAuditChain } from './chain.js';
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

  describe('personal data (#15): hashed through a salted commitment', () => {
    const personal = () => {
      const events = [];
      let head = null;
      for (let i = 0; i < 4; i++) {
        const event = chainEvent(
          `00000000-0000-4000-8000-00000000010${i}`,
          auditFields(
            {
              action: 'auth.login.failed',
              actor: { type: 'anonymous' },
              tenantId: 't',
              ip: `203.0.113.${i}`,
              userAgent: 'Firefox',
              details: { reason: 'wrong_code', email: `p${i}@example.com` },
            },
            at,
          ),
          head,
        );
        events.push(event);
        head = { seq: event.seq, hash: event.hash };
      }
      return events;
    };

    it('erasing an event keeps the chain whole and leaves no personal value in it', async () => {
      const events = personal();
      events[1] = erasePersonalFields(events[1]!);
      expect(events[1]).toMatchObject({
        ip: null,
        userAgent: null,
        personalSalt: null,
        details: { reason: 'wrong_code' },
      });
      expect(JSON.stringify(events[1])).not.toContain('p1@example.com');
      expect(await verify(events)).toMatchObject({ checked: 4, firstBreak: null });
    });

    it('the digest depends on the salt: two events with the same values do not share it', () => {
      const fields = { ip: '203.0.113.1', userAgent: null, details: { email: 'a@example.com' } };
      expect(personalDigest('aa', fields)).not.toBe(personalDigest('bb', fields));
    });

    it('catches an edited personal field, and one put back after erasure', async () => {
      const edited = personal();
      edited[2] = { ...edited[2]!, ip: '198.51.100.7' };
      expect((await verify(edited)).firstBreak).toMatchObject({ seq: 3, reason: 'hash_mismatch' });

      const detail = personal();
      detail[2] = { ...detail[2]!, details: { ...detail[2]!.details, email: 'someone@example.com' } };
      expect((await verify(detail)).firstBreak).toMatchObject({ seq: 3, reason: 'hash_mismatch' });

      const refilled = personal();
      refilled[0] = { ...erasePersonalFields(refilled[0]!), ip: '198.51.100.7' };
      expect((await verify(refilled)).firstBreak).toMatchObject({ seq: 1, reason: 'hash_mismatch' });

      // A public detail is still hashed directly: erasing does not let it change.
      const reason = personal();
      reason[3] = { ...erasePersonalFields(reason[3]!), details: { reason: 'other' } };
      expect((await verify(reason)).firstBreak).toMatchObject({ seq: 4, reason: 'hash_mismatch' });
    });
  });
});
