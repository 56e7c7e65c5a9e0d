import { describe, expect, it } from 'vitest';
import { webCryptoRandom } from '../platform.js';
import { MemoryOtpChallengeStore } from '../stores/memory/codes.js';
import { OtpService } from './otp.js';
import { codePurpose, sendCode } from './send-code.js';

const setup = () => {
  const clock = { now: () => new Date(Date.UTC(2030, 0, 1)) };
  const store = new MemoryOtpChallengeStore();
  const otp = new OtpService({ store, clock, random: webCryptoRandom, codeKey: webCryptoRandom.bytes(32) });
  const scope = { address: 'a@example.com', tenantId: 't1', purpose: 'login' as const };
  return { clock, store, otp, scope };
};

describe('sendCode', () => {
  it('picks the purpose by channel and tenant', () => {
    expect(codePurpose('email', true)).toBe('login');
    expect(codePurpose('email', false)).toBe('verify_email');
    expect(codePurpose('sms', true)).toBe('phone_login');
    expect(codePurpose('sms', false)).toBe('verify_phone');
  });

  it('issues, delivers, and puts the code in the answer only when exposed', async () => {
    const { clock, otp, scope } = setup();
    const delivered: string[] = [];
    const deliver = async (code: string) => {
      delivered.push(code);
    };
    const hidden = await sendCode(otp, clock, {
      channel: 'email',
      scope,
      accepted: true,
      exposeCode: false,
      deliver,
    });
    expect(hidden).toEqual({
      ok: true,
      value: { sent: true, channel: 'email', expires_at: '2030-01-01T00:10:00.000Z' },
    });
    const shown = await sendCode(otp, clock, {
      channel: 'email',
      scope,
      accepted: true,
      exposeCode: true,
      deliver,
    });
    expect(shown.ok && shown.value.code).toBe(delivered[1]);
    expect(delivered).toHaveLength(2);
  });

  it('answers alike for a tenant that does not take the method, issuing and sending nothing', async () => {
    const { clock, otp, scope } = setup();
    let issued = 0;
    const answer = await sendCode(otp, clock, {
      channel: 'sms',
      scope,
      accepted: false,
      exposeCode: true,
      issue: async (s) => {
        issued++;
        return otp.issue(s);
      },
      deliver: async () => {
        throw new Error('never');
      },
    });
    expect(answer).toEqual({
      ok: true,
      value: { sent: true, channel: 'sms', expires_at: '2030-01-01T00:10:00.000Z' },
    });
    expect(issued).toBe(0);
  });

  it('is unavailable when delivery fails, and says why to the caller', async () => {
    const { clock, otp, scope } = setup();
    const failures: unknown[] = [];
    const answer = await sendCode(otp, clock, {
      channel: 'email',
      scope,
      accepted: true,
      exposeCode: true,
      deliver: async () => {
        throw new Error('smtp down');
      },
      onDeliveryFailure: (error) => failures.push(error),
    });
    expect(answer).toMatchObject({ ok: false, code: 'unavailable' });
    expect(failures).toHaveLength(1);
  });
});
