import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Issue #20: action names are checked at compile time once an app registers them. The fixture is
// compiled twice: as written (every `@ts-expect-error` line must be an error, and nothing else may
// be), and with its registration removed (then every action is a plain string again, so each
// `@ts-expect-error` is unused: TS2578). The second run proves the errors come from the registration.

const fixture = fileURLToPath(new URL('./fixture/app.tsx', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const source = readFileSync(fixture, 'utf8');
const directive = /^\s*(\/\/|\{\/\*) @ts-expect-error /;
const expectedErrors = source.split('\n').filter((line) => directive.test(line)).length;
const registration = /declare module '@enforcer\/sdk-js' \{[\s\S]*?\n\}\n/;

function diagnose(text: string): readonly ts.Diagnostic[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    `${root}tsconfig.base.json`,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.base.json could not be read');
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === fixture
      ? ts.createSourceFile(fileName, text, languageVersion, true, ts.ScriptKind.TSX)
      : getSourceFile(fileName, languageVersion, ...rest);
  const program = ts.createProgram([fixture], options, host);
  // Only the fixture's own diagnostics: the packages it imports are type-checked by `pnpm typecheck`.
  const file = program.getSourceFile(fixture)!;
  return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
}

const describeDiagnostic = (d: ts.Diagnostic) =>
  `TS${d.code} line ${d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;

describe('typed actions (Register)', () => {
  it('has a registration and typos to catch', () => {
    expect(source).toMatch(registration);
    expect(expectedErrors).toBeGreaterThanOrEqual(7);
  });

  it('refuses every misspelt action at compile time, and nothing else', () => {
    expect(diagnose(source).map(describeDiagnostic)).toEqual([]);
  }, 60_000);

  it('accepts any string again without the registration (each @ts-expect-error is then unused)', () => {
    const diagnostics = diagnose(source.replace(registration, ''));
    expect(diagnostics.map((d) => d.code)).toEqual(Array(expectedErrors).fill(2578));
  }, 60_000);
});
