import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `pnpm test:react18`: @enforcer/react's own tests (sdk-react/test) on React 18.3. `dedupe` makes
// every import of React, and of the testing library built on it, resolve from this folder (React
// 18), including those of sdk-react's sources and tests (whose own node_modules hold React 19).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    conditions: ['source'],
    dedupe: ['react', 'react-dom', '@testing-library/react', '@testing-library/dom'],
  },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    dir: fileURLToPath(new URL('../../sdk-react/test', import.meta.url)),
    include: ['**/*.test.tsx'],
    testTimeout: 30_000,
    env: { EXPECTED_REACT_MAJOR: '18' },
    // vitest exits 0 when only a hook failed; this reporter makes such a run fail.
    reporters: ['default', fileURLToPath(new URL('../support/fail-on-module-errors.ts', import.meta.url))],
  },
});
