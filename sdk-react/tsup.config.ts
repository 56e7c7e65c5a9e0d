import { defineConfig } from 'tsup';

// One entry. Marked 'use client' for React Server Components frameworks: every export is a
// hook or a component that reads the session store.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  banner: { js: "'use client';" },
  external: ['react', 'react-dom', '@enforcer/sdk-js', '@enforcer/contract'],
});
