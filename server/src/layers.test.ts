// The server's folders form a stack (docs/architecture.md, "Who owns what"): a file imports only from its
// own layer or lower ones, and no two domains import each other. madge (`pnpm check:cycles`) catches
// circles between files; this catches the looser loops between folders that make code hard to move around.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = dirname(fileURLToPath(import.meta.url));

/** Lowest first. Top-level files are named with their extension. */
const layers: string[][] = [
  ['lib', 'config.ts'],
  ['entities', 'migrations'],
  ['db'],
  ['http'],
  ['domains'],
  ['stores'],
  ['services.ts'],
  ['plugins'],
  ['api.ts'],
  ['app.ts'],
  ['index.ts', 'main.ts', 'sandbox.ts', 'cli', 'testing'],
];
const layerOf = (top: string): number => {
  const found = layers.findIndex((names) => names.includes(top));
  if (found < 0)
    throw new Error(`server/src/${top} is in no layer: add it to layers.test.ts and docs/architecture.md`);
  return found;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** `domains/auth/login.ts` → `domains/auth`; `lib/clock.ts` → `lib`; `app.ts` → `app.ts`. */
const folderOf = (path: string): string => {
  const parts = relative(root, path).split(/[\\/]/);
  if (parts[0] === 'domains' && parts.length > 2) return `domains/${parts[1]}`;
  return parts[0]!;
};

const imports = sourceFiles(root).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((match) => {
    const target = normalize(join(dirname(file), match[1]!)).replace(/\.js$/, '.ts');
    return { from: folderOf(file), to: folderOf(target), file: relative(root, file) };
  }),
);

describe('server/src layers', () => {
  it('has no import from a lower layer to a higher one', () => {
    const upward = imports
      .filter((i) => layerOf(i.from.split('/')[0]!) < layerOf(i.to.split('/')[0]!))
      .map((i) => `${i.file} → ${i.to}`);
    expect(upward).toEqual([]);
  });

  it('has no two folders importing each other', () => {
    const edges = new Set(imports.filter((i) => i.from !== i.to).map((i) => `${i.from} → ${i.to}`));
    const loops = [...edges].filter((edge) => {
      const [from, to] = edge.split(' → ');
      return from! < to! && edges.has(`${to} → ${from}`);
    });
    expect(loops).toEqual([]);
  });

  it('sees the imports it judges (a scan that found none would pass anything)', () => {
    expect(imports.length).toBeGreaterThan(300);
    expect(imports.some((i) => i.from === 'stores' && i.to === 'entities')).toBe(true);
  });
});
