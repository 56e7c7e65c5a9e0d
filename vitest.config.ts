import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { findTestFiles, isolationReason } from './test/support/isolation.ts';
import { LongestFirstSequencer } from './test/support/sequencer.ts';

// One vitest run covers every package. Workspace packages resolve to their TypeScript
// sources through the `source` export condition, so tests never need a build first.
const root = dirname(fileURLToPath(import.meta.url));
const roots = ['contract', 'server', 'sdk-js', 'sdk-react', 'sdk-node-verifier', 'test'];
const include = [`{${roots.join(',')}}/**/*.test.{ts,tsx}`];
// test/browser needs Chromium: `pnpm test:browser` (vitest.browser.config.ts).
const exclude = ['**/node_modules/**', '**/dist/**', 'test/browser/**'];

// Most of a file's cost used to be importing the server, MikroORM, Fastify and zod again (vitest's
// `isolate: true` gives every file a fresh module graph). Files that leave the process as they found it
// share their worker's modules instead (`isolate: false`); the others, found by reading their source
// (test/support/isolation.ts: MSW, globalThis, process.env, vi.mock, jsdom…), keep a graph of their own.
// A file is isolated unless the scan listed it as safe, so one the scan missed is isolated too.
const shared = findTestFiles(root, roots, ['test/browser']).filter(
  (file) => isolationReason(resolve(root, file)) === undefined,
);

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    // vitest exits 0 when only a hook failed; this reporter makes such a run fail.
    reporters: ['default', './test/support/fail-on-module-errors.ts'],
    // One PostgreSQL server for the whole run; test files get databases via test/support/postgres.ts.
    globalSetup: ['./test/support/global-setup.ts'],
    // vitest's default for `run` is one worker fewer than the cores (one worker on 2 cores). Much of a
    // test's time is spent waiting (on PostgreSQL, child processes, the network stack, a lease running out
    // in test/e2e/outbox-kill.test.ts's 44 s), so one worker more than the cores: on the 2-core machine 3
    // workers took README's test command from 126 s to 114 s (quiet machine, 2026-12-07, docs/testing.md).
    maxWorkers: availableParallelism() + 1,
    // 60 s, not 30: with two workers on a busy shared 2-core machine, test/e2e/auth-throttle.test.ts's
    // hundred argon2id sign-ins took over 30 s once (12 s alone). A timeout catches hangs; it asserts nothing.
    // Longest files first, so the short ones fill the end of the run (test/support/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'shared', include: shared, exclude, isolate: false } },
      { extends: true, test: { name: 'isolated', include, exclude: [...exclude, ...shared], isolate: true } },
    ],
  },
});
