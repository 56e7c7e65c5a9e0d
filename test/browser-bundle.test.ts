// The browser SDK's budget as a check, not a timing: bundled as an app's bundler would (the bench's own
// build, test/bench/sdk-size.ts), the entry stays within 15 kB gzipped and the lazily loaded policy
// engine within 10 kB. Both once failed unnoticed (issue #19): a value imported from the contract's main
// entry brought zod into the SDK's entry (114 kB), and a value imported from the policy entry moved the
// whole engine into a chunk the entry needs.
import { describe, expect, it } from 'vitest';
import { runSdkSizeBench } from './bench/sdk-size';

describe('the browser SDK bundle', () => {
  it('keeps its entry within 15 kB and the lazy policy engine within 10 kB, gzipped', async () => {
    const sizes = await runSdkSizeBench();
    expect(sizes.core.gzipped).toBeLessThanOrEqual(15 * 1024);
    const engine = sizes.lazy.find((row) => row.name.startsWith('policy engine'));
    // Absent when the engine is no longer a chunk of its own (it moved into the entry's static chunks).
    expect(engine?.gzipped).toBeGreaterThan(1024);
    expect(engine!.gzipped).toBeLessThanOrEqual(10 * 1024);
  }, 60_000);
});
