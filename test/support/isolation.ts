// Which test files need a fresh module graph of their own (vitest's `isolate: true`), read from their
// source when vitest.config.ts loads, so a new test file is sorted without anyone editing a list.
//
// Every other file runs with `isolate: false`: a worker imports the server, MikroORM, Fastify, zod… once
// and runs file after file on them (each test file is still evaluated afresh, with its own hooks). That is
// safe for a file that leaves the process as it found it; these patterns, in the file or in a helper it
// imports by a relative path, are the ways a file can change what the next file in the worker sees:
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const NEEDS_ISOLATION: ReadonlyArray<readonly [RegExp, string]> = [
  // An explicit request (write why next to it).
  [/\bvitest-isolate\b/, 'asks for it (vitest-isolate)'],
  // A DOM environment (jsdom), set up per file.
  [/@vitest-environment\b/, 'sets its environment'],
  // MSW patches the global fetch, http and WebSocket of the process while it listens.
  [/\bsetupServer\b|['"]msw\/node['"]/, 'uses MSW in Node'],
  // Module mocks, stubbed globals and environment, fake timers, a fresh module registry.
  [
    /\bvi\s*\.\s*(mock|doMock|unmock|hoisted|stubGlobal|stubEnv|useFakeTimers|setSystemTime|resetModules)\b/,
    'mocks modules, globals or time',
  ],
  // Spies on shared objects (a spy on an object the test made itself is harmless).
  [
    /\bvi\s*\.\s*spyOn\(\s*(globalThis|console|crypto|process|Date|Math|navigator|performance|window|document)\b/,
    'spies on a global',
  ],
  // Anything done to or through globalThis (reads included: cheaper to isolate than to tell apart).
  [/\bglobalThis\b/, 'touches globalThis'],
  // Environment variables written or deleted, process-wide listeners or working directory.
  [
    /process\.env(\.\w+|\[[^\]]+\])\s*(=[^=]|\?\?=|\|\|=)|delete\s+process\.env|Object\.assign\(\s*process\.env/,
    'writes process.env',
  ],
  [
    /\bprocess\s*\.\s*(on|once|addListener|prependListener|chdir|umask|setUncaughtExceptionCaptureCallback)\s*\(/,
    'changes process state',
  ],
];

/** Why `file` (absolute) must run isolated, or undefined when it may share its worker. */
export function isolationReason(file: string): string | undefined {
  const seen = new Set<string>();
  const visit = (path: string): string | undefined => {
    if (seen.has(path)) return undefined;
    seen.add(path);
    const source = readFileSync(path, 'utf8');
    for (const [pattern, reason] of NEEDS_ISOLATION) {
      if (pattern.test(source)) return path === file ? reason : `${reason} (in ${relativeTo(file, path)})`;
    }
    // Helpers imported by a relative path: the test's own fixtures. The code under test (packages, and the
    // `src/` a colocated test imports) is left out: reading globalThis.crypto is no reason to isolate.
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolveLocal(dirname(path), match[1]!);
      const reason = target && isTestCode(target) && visit(target);
      if (reason) return reason;
    }
    return undefined;
  };
  return visit(file);
}

/**
 * The test files under `roots` (relative paths, sorted): every `*.test.ts(x)` outside node_modules, dist and
 * `skip`. A plain walk rather than vitest's globs, so it runs on any Node; a file it missed would simply
 * run isolated (vitest.config.ts isolates what is not listed as safe).
 */
export function findTestFiles(root: string, roots: string[], skip: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(resolve(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist' && !skip.includes(path)) walk(path);
      } else if (entry.isFile() && /\.test\.tsx?$/.test(entry.name)) found.push(path);
    }
  };
  for (const dir of roots) if (existsSync(resolve(root, dir))) walk(dir);
  return found.sort();
}

/** Test code rather than code under test: outside `src/`, or a test helper kept beside the sources. */
function isTestCode(path: string): boolean {
  return !/\/src\//.test(path) || /\/testing\/|fixture|harness|\.test\.|\.contract\./.test(path);
}

function resolveLocal(from: string, specifier: string): string | undefined {
  const base = resolve(from, specifier);
  const stem = base.replace(/\.(js|jsx|mjs|ts|tsx)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (/\.(ts|tsx)$/.test(candidate) && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function relativeTo(file: string, path: string): string {
  const dir = dirname(file);
  return path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : path;
}
