import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cerbosFigures, cerbosMarkdown, runCerbosBench } from './cerbos.bench';
import { type Figure, machine, type Suite, sinkValue, suites } from './measure';
import { policyBenchMarkdown, policyFigures, runPolicyBench } from './policy.bench';
import { runSdkSizeBench, sdkSizeFigures, sdkSizeMarkdown } from './sdk-size';
import { runServerLoadBench, serverLoadFigures, serverLoadMarkdown } from './server-load.bench';
import { runTwoProcessesBench, twoProcessesFigures, twoProcessesMarkdown } from './two-processes.bench';
import { runVerifierBench, verifierBenchMarkdown, verifierFigures } from './verifier.bench';

/**
 * `pnpm bench [suite ...]`: runs every benchmark (or the named ones: policy, server, two-processes,
 * cerbos, verifier, sdk-size) and rewrites its section of docs/benchmarks.md (between `<!-- bench:NAME -->`
 * and `<!-- /bench:NAME -->`), with the machine it ran on. A suite that skips (cerbos where its
 * binary does not run) leaves its section as it was.
 *
 * `pnpm bench --json [suite ...]`: prints the results as one JSON document on stdout (progress
 * goes to stderr) and leaves the docs alone; `pnpm bench:compare` reads it.
 *
 * Benchmarks never run as tests: timings belong here, not in assertions. A bench does check
 * that it measured what it claims (see server-load.bench.ts) and fails otherwise.
 */

interface SuiteRun<R> {
  title: string;
  run: () => R | Promise<R>;
  /** Undefined: the suite skipped, its docs section stays as it was. */
  markdown: (r: R) => string | undefined;
  figures: (r: R) => Figure[];
}

/** A suite's run, reduced to what the runner needs (its result type stays inside). */
function suite<R>(s: SuiteRun<R>): {
  title: string;
  run: () => Promise<{ md: string | undefined; figures: Figure[] }>;
} {
  return {
    title: s.title,
    run: async () => {
      const r = await s.run();
      return { md: s.markdown(r), figures: s.figures(r) };
    },
  };
}

const runs = {
  policy: suite({
    title: 'policy engine vs CASL',
    run: runPolicyBench,
    markdown: policyBenchMarkdown,
    figures: policyFigures,
  }),
  server: suite({
    title: 'server load: POST /authorize and POST /auth/refresh beside a bare route',
    run: runServerLoadBench,
    markdown: serverLoadMarkdown,
    figures: serverLoadFigures,
  }),
  'two-processes': suite({
    title:
      'two server processes on one PostgreSQL: POST /authorize and POST /auth/refresh spread over both, beside one',
    run: runTwoProcessesBench,
    markdown: twoProcessesMarkdown,
    figures: twoProcessesFigures,
  }),
  cerbos: suite({
    title:
      'Enforcer beside the Cerbos PDP: POST /authorize vs CheckResources, POST /authorize/filter vs PlanResources',
    run: runCerbosBench,
    markdown: cerbosMarkdown,
    figures: cerbosFigures,
  }),
  verifier: suite({
    title: 'node verifier: verify + authorize beside bare jose.jwtVerify',
    run: runVerifierBench,
    markdown: verifierBenchMarkdown,
    figures: verifierFigures,
  }),
  'sdk-size': suite({
    title: 'sdk-js: core entry size (minified + gzip)',
    run: runSdkSizeBench,
    markdown: sdkSizeMarkdown,
    figures: sdkSizeFigures,
  }),
} satisfies Record<Suite, unknown>;

const docPath = new URL('../../docs/benchmarks.md', import.meta.url);

function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${body}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i === -1 || j === -1) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, i) + block + doc.slice(j + end.length);
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const named = args.filter((a) => !a.startsWith('--'));
for (const name of named)
  if (!(suites as readonly string[]).includes(name))
    throw new Error(`unknown suite ${name} (known: ${suites.join(', ')})`);
const wanted = suites.filter((s) => named.length === 0 || named.includes(s));
// With --json, stdout carries the document alone.
const log = json ? (text: string) => process.stderr.write(`${text}\n`) : console.log;

const stamp = `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`;
let doc = readFileSync(docPath, 'utf8');
const figures: Figure[] = [];
for (const name of wanted) {
  const s = runs[name];
  log(`${s.title} ...`);
  const result = await s.run();
  if (result.md === undefined) {
    log(`${name}: skipped, its section of docs/benchmarks.md left as it was`);
    continue;
  }
  const md = `${stamp}\n\n${result.md}`;
  log(md);
  doc = replaceSection(doc, name, md);
  figures.push(...result.figures);
}
if (json) {
  const out = { date: new Date().toISOString(), commit: commit(), machine: machine(), figures };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else {
  writeFileSync(docPath, doc);
}
log(`${json ? 'done' : 'docs/benchmarks.md updated'} (sink ${sinkValue()})`);
