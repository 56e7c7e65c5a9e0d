import { defineConfig } from 'tsup';

export default defineConfig({
  // `testing` and `testing-postgres` are @enforcer/server/testing(/postgres): helpers for tests outside the server.
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    'testing-postgres': 'src/testing/postgres.ts',
  },
  // The testing entry loads test/support, which runs inside vitest: never bundle vitest itself.
  external: ['vitest'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
