import { defineConfig } from 'vitest/config';

// `pnpm test:browser`: the tests in headless Chromium (test/browser/), which need the Debian
// `chromium` package (docs/react.md). `pnpm test` leaves them out; CI runs both.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    // vitest exits 0 when only a hook failed; this reporter makes such a run fail.
    reporters: ['default', './test/support/fail-on-module-errors.ts'],
    include: ['test/browser/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 60_000,
    // expect.poll's default (1 s) is short for a page waiting on a server on a loaded machine: a sign-in's
    // first code request, or the KYC card's next status poll (every 1.5 s).
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 120_000,
  },
});
