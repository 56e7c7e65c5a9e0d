import { describe, expect, it } from 'vitest';
import { EnforcerError } from '../src/index';
import { signedIn, useMockEnforcer } from './harness';

const h = useMockEnforcer();

describe('enforcer.updateMetadata', () => {
  it("merges into the account's user_metadata and answers its public and user metadata", async () => {
    const enforcer = h.sdk();
    await signedIn(h, enforcer);
    expect(await enforcer.updateMetadata({ theme: 'dark', lang: 'fr' })).toEqual({
      public_metadata: {},
      user_metadata: { theme: 'dark', lang: 'fr' },
    });
    expect(await enforcer.updateMetadata({ lang: null, pins: [1, 2] })).toEqual({
      public_metadata: {},
      user_metadata: { theme: 'dark', pins: [1, 2] },
    });
  });

  it('throws metadata_too_large past 8 kB and changes nothing', async () => {
    const enforcer = h.sdk();
    await signedIn(h, enforcer);
    await enforcer.updateMetadata({ keep: true });
    const error = await enforcer.updateMetadata({ blob: 'x'.repeat(9000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnforcerError);
    expect((error as EnforcerError).code).toBe('metadata_too_large');
    expect(await enforcer.updateMetadata({})).toEqual({ public_metadata: {}, user_metadata: { keep: true } });
  });
});
