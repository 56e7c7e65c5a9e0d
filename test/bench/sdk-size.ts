import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Figure } from './measure';

/**
 * What `@enforcer/sdk-js` costs a browser: its core entry bundled, minified and gzipped the
 * way an app's bundler would (esbuild, ESM, browser platform, code splitting), from the
 * TypeScript sources. The policy engine (`can()`'s part of it, without zod) and the
 * passkey flows are dynamic imports: they land in chunks of their own, loaded on first use,
 * and are reported separately. For comparison, what two things the SDK avoids would add:
 * `@ts-rest/core`'s `initClient` and the contract object with all its zod schemas.
 */

// esbuild comes with tsup (a root devDependency); it is not a dependency of @enforcer/test,
// so its types are not visible here: the little of its API used is typed below.
interface EsbuildOutput {
  path: string;
  contents: Uint8Array;
}
interface EsbuildMetaOutput {
  entryPoint?: string;
  inputs: Record<string, unknown>;
  imports: { path: string; kind: string; external?: boolean }[];
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{
    outputFiles: EsbuildOutput[];
    metafile?: { outputs: Record<string, EsbuildMetaOutput> };
  }>;
}
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as Esbuild;

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface SizeRow {
  name: string;
  minified: number;
  gzipped: number;
}

export interface SdkSizeResult {
  core: SizeRow;
  lazy: SizeRow[];
  comparison: SizeRow[];
  targetBytes: number;
}

const gzip = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

async function bundle(entry: { contents: string } | string, splitting: boolean) {
  const result = await esbuild.build({
    ...(typeof entry === 'string'
      ? { entryPoints: { entry } }
      : { stdin: { contents: entry.contents, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' } }),
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    splitting,
    outdir: '/tmp/enforcer-sdk-size',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result;
}

export async function runSdkSizeBench(): Promise<SdkSizeResult> {
  const result = await bundle(`${root}sdk-js/src/index.ts`, true);
  const meta = result.metafile!.outputs;
  const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  const bytesOf = new Map(result.outputFiles.map((f) => [base(f.path), f.contents]));
  const jsOutputs = Object.keys(meta).filter((k) => k.endsWith('.js'));
  // What a chunk pulls in statically (it cannot run without them).
  const closure = (key: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(key)) return seen;
    seen.add(key);
    for (const imported of meta[key]!.imports) {
      if (imported.kind === 'import-statement' && !imported.external) closure(imported.path, seen);
    }
    return seen;
  };
  const size = (name: string, keys: Iterable<string>): SizeRow => {
    const parts = [...keys].map((k) => bytesOf.get(base(k))!);
    const joined = Buffer.concat(parts.map((b) => Buffer.from(b)));
    // Each chunk is its own file (own gzip stream); summing per-file gzip sizes is what goes over the wire.
    return { name, minified: joined.length, gzipped: parts.reduce((n, b) => n + gzip(b), 0) };
  };
  const entryKey = jsOutputs.find((k) => meta[k]!.entryPoint)!;
  const coreKeys = closure(entryKey);
  const lazy: SizeRow[] = [];
  for (const key of jsOutputs) {
    const dynamic = meta[key]!.imports.filter((i) => i.kind === 'dynamic-import' && !i.external);
    for (const target of dynamic) {
      const own = [...closure(target.path)].filter((k) => !coreKeys.has(k));
      const inputs = own.flatMap((k) => Object.keys(meta[k]!.inputs));
      const label = inputs.some((i) => i.includes('contract/src/policy/compile'))
        ? 'policy engine (lazy: after sign-in, for `can()`)'
        : inputs.some((i) => i.includes('flows/passkeys'))
          ? 'passkey flows (lazy: `enforcer.passkeys()`)'
          : `lazy chunk ${base(target.path)}`;
      lazy.push(size(label, own));
    }
  }

  const comparison: SizeRow[] = [];
  for (const [name, contents] of [
    [
      '@ts-rest/core initClient alone',
      `import { initClient } from '@ts-rest/core'; export const c = (r: any) => initClient(r, { baseUrl: '' });`,
    ],
    [
      'the contract object (every zod schema)',
      `import { contract } from '@enforcer/contract'; export const c = contract;`,
    ],
  ] as const) {
    // Resolved from the SDK's folder, where these packages are dependencies.
    const built = await esbuild.build({
      stdin: { contents, resolveDir: `${root}sdk-js`, loader: 'ts', sourcefile: 'entry.ts' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['source'],
      write: false,
      logLevel: 'silent',
    });
    const bytes = built.outputFiles[0]!.contents;
    comparison.push({ name, minified: bytes.length, gzipped: gzip(bytes) });
  }
  return {
    core: size('core entry (`@enforcer/sdk-js`), with its static chunks', coreKeys),
    lazy,
    comparison,
    targetBytes: 15 * 1024,
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

export function sdkSizeFigures(r: SdkSizeResult): Figure[] {
  return [r.core, ...r.lazy, ...r.comparison].map((s) => ({
    suite: 'sdk-size',
    name: `${s.name}: min + gzip`,
    value: s.gzipped,
    unit: 'B',
    better: 'lower' as const,
  }));
}

export function sdkSizeMarkdown(r: SdkSizeResult): string {
  const row = (s: SizeRow) => `| ${s.name} | ${kb(s.minified)} | ${kb(s.gzipped)} |`;
  const verdict = r.core.gzipped <= r.targetBytes ? 'within' : 'over';
  return [
    'esbuild (bundle, minify, ESM, browser, code splitting) from the sources; gzip -9 with node:zlib.',
    '',
    '| what | minified | min + gzip |',
    '|---|---|---|',
    row(r.core),
    ...r.lazy.map(row),
    '',
    `Core entry: **${kb(r.core.gzipped)}** gzipped, ${verdict} the 15 kB target. It holds the typed client (a route table generated from the contract and ts-rest's types, not its runtime), sessions, cross-tab refresh, flows and errors; no zod. The policy engine chunk is loaded when permissions are first fetched after sign-in; until then \`can()\` answers false. The chunk is what \`can()\` needs (sdk-js/src/permissions/engine.ts: \`compileValidated\` and what it uses) and no zod: the server validated the document it hands out, so the browser compiles it with every check of meaning but without the shape check (before: 36 kB gzipped, mostly zod).`,
    '',
    'What the SDK avoids by design (bundled alone, for comparison):',
    '',
    '| what | minified | min + gzip |',
    '|---|---|---|',
    ...r.comparison.map(row),
  ].join('\n');
}
