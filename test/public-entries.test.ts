// Tests under test/ reach the server through its HTTP API or its public entries (@enforcer/server,
// @enforcer/server/testing, @enforcer/server/testing/postgres), never through server/src internals:
// the domains are moving into @enforcer/core, and a test that imports an entity pins it in place.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const testDir = fileURLToPath(new URL('.', import.meta.url));
const serverSrc = resolve(testDir, '../server/src');
/** The public entries' own sources, which a file may name by path where package conditions do not apply. */
const entrySources = ['testing/index', 'testing/postgres', 'index'].map((name) => resolve(serverSrc, name));

/**
 * Files still allowed to import internals, each with why. Shrink this list; never grow it.
 * - the store contract suite exercises the PostgreSQL stores themselves (one port at a time, as the
 *   core's memory stores are), so it needs the classes, not a server.
 */
const ALLOWED = new Set(['stores/postgres.test.ts']);

/** Every module specifier a source file names: static imports and exports, dynamic imports. */
const specifiers = (source: string): string[] =>
  [
    ...source.matchAll(
      /\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g,
    ),
  ].map((m) => (m[1] ?? m[2] ?? m[3])!);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.[cm]?[jt]sx?$/.test(entry.name) ? [path] : [];
  });
}

/** The specifiers of `file` that land in server/src (relative paths, or the package's src/ folder). */
function internalImports(file: string, source = readFileSync(file, 'utf8')): string[] {
  return specifiers(source).filter((specifier) => {
    if (specifier.startsWith('.')) {
      const target = resolve(file, '..', specifier);
      if (entrySources.includes(target.replace(/\.[cm]?[jt]s$/, ''))) return false;
      return target === serverSrc || target.startsWith(`${serverSrc}/`);
    }
    return /^@enforcer\/server\/src(\/|$)/.test(specifier);
  });
}

describe('tests use public entries only', () => {
  it('no file under test/ imports server/src (but the listed exceptions)', () => {
    const offenders = sourceFiles(testDir)
      .filter((file) => file !== fileURLToPath(import.meta.url)) // its examples below are offenders on purpose
      .map((file) => ({ file: relative(testDir, file), imports: internalImports(file) }))
      .filter(({ file, imports }) => imports.length > 0 && !ALLOWED.has(file));
    expect(offenders).toEqual([]);
  });

  it('every exception still needs its exception', () => {
    for (const file of ALLOWED) expect(internalImports(join(testDir, file)), file).not.toEqual([]);
  });

  it('catches the forms an import can take', () => {
    const file = join(testDir, 'e2e/example.test.ts');
    expect(
      internalImports(
        file,
        [
          "import { Tenant } from '../../server/src/domains/tenants/entities.js';",
          "export { x } from '../../server/src/lib/clock.js';",
          "const m = await import('../../server/src/app.js');",
          "import '../../server/src/db/orm.js';",
          "import { y } from '@enforcer/server/src/index.js';",
          "import { startTestServer } from '@enforcer/server/testing';",
          "import { apiClient } from './harness.js';",
          "import { findFreePort } from '../../server/src/testing/postgres';",
        ].join('\n'),
      ),
    ).toHaveLength(5);
  });
});
