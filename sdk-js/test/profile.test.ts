import { describe, expect, it } from 'vitest';
import { EnforcerError } from '../src/index';
import { signedIn, useMockEnforcer } from './harness';

const h = useMockEnforcer();

describe('enforcer.updateProfile', () => {
  it("changes the person's profile and the snapshot shows it at once", async () => {
    const enforcer = h.sdk();
    await signedIn(h, enforcer);
    const before = enforcer.getSnapshot();
    if (before.status !== 'signed_in') throw new Error('expected a session');
    expect(before.person.display_name).toBeNull();

    const person = await enforcer.updateProfile({ display_name: 'Ada', time_zone: 'Europe/London' });
    expect(person).toMatchObject({ display_name: 'Ada', time_zone: 'Europe/London', locale: null });
    const after = enforcer.getSnapshot();
    if (after.status !== 'signed_in') throw new Error('expected a session');
    expect(after.person).toMatchObject({ display_name: 'Ada', time_zone: 'Europe/London' });
    expect(after.sessionId).toBe(before.sessionId);

    await enforcer.updateProfile({ display_name: null });
    const cleared = enforcer.getSnapshot();
    expect(cleared.status === 'signed_in' && cleared.person.display_name).toBeNull();
  });

  it('throws the validation problem for a malformed field and changes nothing', async () => {
    const enforcer = h.sdk();
    await signedIn(h, enforcer);
    const error = await enforcer.updateProfile({ time_zone: 'Nowhere/Atlantis' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnforcerError);
    expect((error as EnforcerError).code).toBe('validation_failed');
    const snapshot = enforcer.getSnapshot();
    expect(snapshot.status === 'signed_in' && snapshot.person.time_zone).toBeNull();
  });
});
