import { readFileSync, writeFileSync } from 'node:fs';
import { machine, sinkValue } from './measure';
import { policyBenchMarkdown, runPolicyBench } from './policy.bench';
import { runSdkSizeBench, sdkSizeMarkdown } from './sdk-size';
import { runServerLoadBench, serverLoadMarkdown } from './server-load.bench';
import { runVerifierBench, verifierBenchMarkdown } from './verifier.bench';

/**
 * `pnpm bench`: runs every benchmark and rewrites its section of docs/benchmarks.md
 * (between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`), with the machine it ran on.
 * Benchmarks never run as tests: timings belong here, not in assertions.
 */
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

const stamp = `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`;
const only = process.argv.slice(2);
const wants = (name: string) => only.length === 0 || only.includes(name);

let doc = readFileSync(docPath, 'utf8');
if (wants('policy')) {
  console.log('policy engine vs CASL ...');
  const result = runPolicyBench();
  const md = `${stamp}\n\n${policyBenchMarkdown(result)}`;
  console.log(md);
  doc = replaceSection(doc, 'policy', md);
}
if (wants('server')) {
  console.log('server load: POST /authorize and POST /auth/refresh beside a bare route ...');
  const result = await runServerLoadBench();
  const md = `${stamp}\n\n${serverLoadMarkdown(result)}`;
  console.log(md);
  doc = replaceSection(doc, 'server', md);
}
if (wants('verifier')) {
  console.log('node verifier: verify + authorize beside bare jose.jwtVerify ...');
  const result = await runVerifierBench();
  const md = `${stamp}\n\n${verifierBenchMarkdown(result)}`;
  console.log(md);
  doc = replaceSection(doc, 'verifier', md);
}
if (wants('sdk-size')) {
  console.log('sdk-js: core entry size (minified + gzip) ...');
  const result = await runSdkSizeBench();
  const md = `${stamp}\n\n${sdkSizeMarkdown(result)}`;
  console.log(md);
  doc = replaceSection(doc, 'sdk-size', md);
}
writeFileSync(docPath, doc);
console.log(`docs/benchmarks.md updated (sink ${sinkValue()})`);
