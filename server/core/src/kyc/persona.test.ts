import { describe, expect, it } from 'vitest';
import { personaOutcome, personaSignature, readPersonaEvent, verifyPersonaSignature } from './persona.js';

// Vectors computed outside this code, with `openssl dgst -sha256 -hmac <secret>` over "<t>.<body>".
const body = '{"data":{"id":"evt_1"}}';
const raw = new TextEncoder().encode(body);
const t = 1700000000;
const secret = 'wbhsec_test_secret';
const expected = '1453295a46c2e8175f8f94c6ffe45dab640eba1c9de78c8e73883fa50c87a68a';
const rotatedSecret = 'wbhsec_rotated_secret';
const rotatedExpected = '70df180e3d07af7d39772ea82e7f7b01aa781d3f4b72dc8fd958b9043a63d33c';
const at = (seconds: number) => new Date(seconds * 1000);

describe('Persona-Signature', () => {
  it('computes the documented HMAC-SHA256 over "<t>.<raw body>"', async () => {
    expect(await personaSignature(secret, String(t), raw)).toBe(expected);
    expect(await personaSignature(rotatedSecret, String(t), raw)).toBe(rotatedExpected);
  });

  it('accepts a matching signature within five minutes, either way', async () => {
    for (const now of [t, t + 300, t - 300]) {
      expect(
        await verifyPersonaSignature({ header: `t=${t},v1=${expected}`, rawBody: raw, secret, now: at(now) }),
      ).toEqual({ ok: true });
    }
  });

  it('refuses a stale or future timestamp even with a good MAC', async () => {
    for (const now of [t + 301, t - 301]) {
      expect(
        await verifyPersonaSignature({ header: `t=${t},v1=${expected}`, rawBody: raw, secret, now: at(now) }),
      ).toEqual({ ok: false, reason: 'stale' });
    }
  });

  it('refuses a wrong MAC, another secret, a changed body, a missing or malformed header', async () => {
    const check = (header: string | undefined, options: { body?: string; key?: string } = {}) =>
      verifyPersonaSignature({
        header,
        rawBody: new TextEncoder().encode(options.body ?? body),
        secret: options.key ?? secret,
        now: at(t),
      });
    expect(await check(`t=${t},v1=${'0'.repeat(64)}`)).toEqual({ ok: false, reason: 'mismatch' });
    expect(await check(`t=${t},v1=${expected}`, { key: 'wbhsec_other' })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(await check(`t=${t},v1=${expected}`, { body: '{"data":{"id":"evt_2"}}' })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    // The timestamp is signed: moving it breaks the MAC.
    expect(await check(`t=${t + 1},v1=${expected}`)).toEqual({ ok: false, reason: 'mismatch' });
    expect(await check(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(await check('v1=abc')).toEqual({ ok: false, reason: 'missing' });
    expect(await check(`t=abc,v1=${expected}`)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('accepts either set while a secret rotates (two space-separated sets)', async () => {
    const header = `t=${t},v1=${expected} t=${t},v1=${rotatedExpected}`;
    for (const key of [secret, rotatedSecret]) {
      expect(await verifyPersonaSignature({ header, rawBody: raw, secret: key, now: at(t) })).toEqual({
        ok: true,
      });
    }
    expect(
      await verifyPersonaSignature({ header, rawBody: raw, secret: 'wbhsec_neither', now: at(t) }),
    ).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('reads the event id, name and the inquiry reference; maps outcomes', () => {
    const event = {
      data: {
        type: 'event',
        id: 'evt_abc',
        attributes: {
          name: 'inquiry.approved',
          payload: {
            data: {
              type: 'inquiry',
              id: 'inq_1',
              attributes: { status: 'approved', 'reference-id': 'ref-1' },
            },
          },
        },
      },
    };
    expect(readPersonaEvent(event)).toEqual({
      eventId: 'evt_abc',
      name: 'inquiry.approved',
      referenceId: 'ref-1',
      occurredAt: null,
    });
    const dated = {
      data: {
        ...event.data,
        attributes: { ...event.data.attributes, 'created-at': '2026-12-06T10:00:00.000Z' },
      },
    };
    expect(readPersonaEvent(dated)?.occurredAt).toEqual(new Date('2026-12-06T10:00:00.000Z'));
    expect(readPersonaEvent(event)?.occurredAt).toBeNull();
    expect(readPersonaEvent({ data: [] })).toBeNull();
    expect(readPersonaEvent('x')).toBeNull();
    expect(personaOutcome('inquiry.approved')).toBe('approved');
    expect(personaOutcome('inquiry.declined')).toBe('rejected');
    expect(personaOutcome('inquiry.failed')).toBe('rejected');
    expect(personaOutcome('inquiry.expired')).toBe('expired');
    expect(personaOutcome('inquiry.created')).toBeNull();
  });
});
