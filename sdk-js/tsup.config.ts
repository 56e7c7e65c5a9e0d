import { defineConfig } from 'tsup';

// Two entries: the browser SDK (`.`) and the MSW mock for tests (`./msw`). The policy engine
// and the passkey flows are dynamic imports, so bundlers put them in chunks of their own.
export default defineConfig({
  entry: { index: 'src/index.ts', msw: 'src/msw/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  splitting: true,
  target: 'es2022',
  external: ['msw', 'viem', '@simplewebauthn/server', 'jose', '@enforcer/contract', '@ts-rest/core'],
});
