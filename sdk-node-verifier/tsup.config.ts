import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', fastify: 'src/fastify.ts', express: 'src/express.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
