import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'policy/index': 'src/policy/index.ts', browser: 'src/browser.ts' },
  format: ['esm', 'cjs'],
  // CommonJS too (require); one copy of shared code per format, so classes stay one class across entries.
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
