import { defineConfig } from 'vitest/config';

// One vitest run covers every package. Workspace packages resolve to their TypeScript
// sources through the `source` export condition, so tests never need a build first.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    // vitest exits 0 when only a hook failed; this reporter makes such a run fail.
    reporters: ['default', './test/support/fail-on-module-errors.ts'],
    include: ['{contract,server,sdk-js,sdk-react,sdk-node-verifier,test}/**/*.test.{ts,tsx}'],
    // test/browser needs Chromium: `pnpm test:browser` (vitest.browser.config.ts).
    exclude: ['**/node_modules/**', '**/dist/**', 'test/browser/**'],
    // One PostgreSQL server for the whole run; test files get databases via test/support/postgres.ts.
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
