// The docs' snippets that are whole test files are those files: a code block right after
// `<!-- snippet: path/to/file.test.ts -->` must be that file as it runs in the repository, its
// relative imports of the package under test written as a customer writes them (the package name).
// So the "Testing your app with the mock" examples cannot rot: the file runs in `pnpm test`, and
// this test fails when the doc and the file part.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const DOCS = ['docs/react.md', 'docs/sdk-js.md', 'docs/testing.md', 'docs/machine-clients.md'];

/** How a test file in the repository names the package it tests, and how a customer names it. */
const PACKAGE_IMPORTS: Record<string, Record<string, string>> = {
  'sdk-js/test/': { '../src/index': '@enforcer/sdk-js', '../src/msw/index': '@enforcer/sdk-js/msw' },
  'sdk-react/test/': { '../src/index': '@enforcer/react' },
};

const MARKER = /^<!-- snippet: (\S+) -->$/;

/** Every marked code block of a doc: the file it claims to be, and its text. */
function markedSnippets(doc: string): { file: string; code: string; line: number }[] {
  const lines = readFileSync(resolve(root, doc), 'utf8').split('\n');
  const found: { file: string; code: string; line: number }[] = [];
  lines.forEach((line, i) => {
    const file = MARKER.exec(line.trim())?.[1];
    if (!file) return;
    const open = lines[i + 1] ?? '';
    if (!open.startsWith('```'))
      throw new Error(`${doc}:${i + 1}: the snippet marker must precede a code block`);
    const end = lines.findIndex((l, j) => j > i + 1 && l.startsWith('```'));
    if (end < 0) throw new Error(`${doc}:${i + 2}: unclosed code block`);
    found.push({ file, code: lines.slice(i + 2, end).join('\n'), line: i + 1 });
  });
  return found;
}

/** The file as a customer would write it: relative imports of the package under test by name. */
function asCustomerWrites(file: string): string {
  let text = readFileSync(resolve(root, file), 'utf8').trimEnd();
  const imports = Object.entries(PACKAGE_IMPORTS).find(([dir]) => file.startsWith(dir))?.[1] ?? {};
  for (const [relative, name] of Object.entries(imports))
    text = text.replaceAll(`'${relative}'`, `'${name}'`);
  return text;
}

describe('doc snippets that are test files', () => {
  const snippets = DOCS.flatMap((doc) => markedSnippets(doc).map((s) => ({ doc, ...s })));

  it('the docs mark the mock-testing examples (the React and the SDK one)', () => {
    expect(snippets.map((s) => s.file)).toEqual(
      expect.arrayContaining(['sdk-js/test/docs-example.test.ts', 'sdk-react/test/docs-example.test.tsx']),
    );
  });

  it.each(snippets.map((s) => [`${s.doc}:${s.line} ${s.file}`, s] as const))(
    '%s is the file, as run',
    (_name, { file, code }) => {
      expect(code).toBe(asCustomerWrites(file));
    },
  );
});
