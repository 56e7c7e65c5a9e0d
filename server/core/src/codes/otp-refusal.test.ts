import { describe, expect, it } from 'vitest';
import { AppError, refusalError } from '../errors.js';
import { refuse } from '../result.js';
import { memoryFixture } from '../testing/memory-fixture.js';
import { OTP_MAX_ATTEMPTS, otpRefusal } from './otp.js';

const scope = { address: 'a@example.com', tenantId: 't1', purpose: 'login' as const };
const setup = () => ({ ...memoryFixture(), scope });

const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

describe('otpRefusal (every OTP refusal answered the same way)', () => {
  it('a wrong code: invalid_otp with its reason and no Retry-After', async () => {
    const { otp, scope } = setup();
    const issued = await otp.issue(scope);
    if (!issued.ok) throw new Error(issued.code);
    const check = await otp.verify(scope, wrong(issued.value.code));
    if (check.ok) throw new Error('a wrong code was accepted');
    const refusal = otpRefusal(check);
    expect(refusal).toEqual({ ok: false, code: 'invalid_otp', detail: check.detail, reason: 'wrong_code' });
    expect(refusalError(refusal).headers).toBeUndefined();
  });

  it('a burnt code: otp_attempts_exceeded with Retry-After until the code expires', async () => {
    const { otp, scope, advance } = setup();
    const issued = await otp.issue(scope);
    if (!issued.ok) throw new Error(issued.code);
    advance(100);
    let check = await otp.verify(scope, wrong(issued.value.code));
    for (let i = 1; i < OTP_MAX_ATTEMPTS; i++) check = await otp.verify(scope, wrong(issued.value.code));
    if (check.ok) throw new Error('a wrong code was accepted');
    expect(check.retryAfterSeconds).toBe(500);
    const refusal = otpRefusal(check);
    expect(refusal).toEqual({
      ok: false,
      code: 'otp_attempts_exceeded',
      detail: check.detail,
      reason: 'wrong_code_burnt',
      headers: { 'retry-after': '500' },
    });
    const error = refusalError(refusal);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'otp_attempts_exceeded', headers: { 'retry-after': '500' } });
  });

  it('a refusal that is not a code check (delivery failed) passes through unchanged', () => {
    const unavailable = refuse('unavailable', 'The code could not be sent; try again shortly');
    expect(otpRefusal(unavailable)).toEqual(unavailable);
  });
});
