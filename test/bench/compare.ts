import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Figure, machine, suites } from './measure';

/**
 * `pnpm bench:compare <base-ref> [suite ...] [--rounds N] [--write]`: the same benchmarks on
 * base-ref and on this checkout, interleaved A/B, so both sides see the same machine (on a
 * shared machine the absolute figures drift; the ratios of one interleaved run hold better).
 *
 * base-ref is checked out in a temporary git worktree and installed there
 * (`pnpm install --frozen-lockfile --prefer-offline`). Both sides run this checkout's harness
 * (test/bench is copied over the base's), so a difference is the code's, not the harness's;
 * base-ref must be recent enough for the harness to build against it (it needs @enforcer/server/testing
 * and the core's AccessTokenService: commits from the merge of issue #13's testing entry on). Each round runs each
 * suite on both sides (`pnpm bench --json <suite>`), alternating which goes first, so the two
 * sides of a figure are minutes apart at most. The table gives the median of the rounds per
 * figure and flags any figure worse by more than 5% (and, for whole-millisecond latencies, by
 * more than 1 ms). Controls (code this repository does not change, measured beside ours) are
 * not flagged: how far they moved is the machine's drift, reported with the table. `--write`
 * appends it to docs/benchmarks.md. Exits 1 if a figure is flagged.
 */
const THRESHOLD = 0.05;
const root = fileURLToPath(new URL('../../', import.meta.url));
const benchDir = fileURLToPath(new URL('./', import.meta.url));

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt === -1 ? 3 : Number(args[roundsAt + 1]);
const positional = args.filter((a, i) => !a.startsWith('--') && !(roundsAt !== -1 && i === roundsAt + 1));
const [baseRef, ...suiteArgs] = positional;
if (!baseRef || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: pnpm bench:compare <base-ref> [suite ...] [--rounds N] [--write]');
  process.exit(2);
}

const git = (...a: string[]) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
const baseSha = git('rev-parse', '--verify', `${baseRef}^{commit}`);
const headSha = git('rev-parse', 'HEAD');
const dirty = git('status', '--porcelain').length > 0;
const short = (sha: string) => sha.slice(0, 7);
const headLabel = `${short(headSha)}${dirty ? ' + uncommitted changes' : ''}`;

interface Side {
  label: string;
  dir: string;
  samples: Map<string, { figure: Figure; values: number[] }>;
}

function runSide(side: Side, suite: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'test/bench/run.ts', '--json', suite],
      { cwd: side.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${side.label}: pnpm bench exited ${code}\n${err}`));
      for (const figure of (JSON.parse(out) as { figures: Figure[] }).figures) {
        const key = `${figure.suite}\u0000${figure.name}`;
        const entry = side.samples.get(key) ?? { figure, values: [] };
        entry.values.push(figure.value);
        side.samples.set(key, entry);
      }
      resolve();
    });
  });
}

const median = (values: number[]) => {
  const s = [...values].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function format(value: number, unit: string): string {
  if (unit === 'ns') return value >= 1000 ? `${(value / 1000).toFixed(2)} µs` : `${value.toFixed(1)} ns`;
  if (unit === 'B') return `${(value / 1024).toFixed(1)} kB`;
  if (unit === 'req/s') return `${Math.round(value).toLocaleString('en-US')} req/s`;
  if (unit === '×') return `${value.toFixed(3)}×`;
  return `${value} ${unit}`;
}

/** Worse by more than the threshold (and by more than the figure's resolution). */
function worse(f: Figure, base: number, head: number): boolean {
  const by = f.better === 'lower' ? head - base : base - head;
  return by > Math.abs(base) * THRESHOLD && by > (f.resolution ?? 0);
}

function table(base: Side, head: Side): { md: string; flagged: string[]; drift: number } {
  const flagged: string[] = [];
  let drift = 0;
  const rows = [...head.samples.entries()].map(([key, { figure, values }]) => {
    const b = base.samples.get(key);
    const h = median(values);
    if (!b) return `| ${figure.suite} | ${figure.name} | (none) | ${format(h, figure.unit)} | | new |`;
    const bm = median(b.values);
    const change = bm === 0 ? 0 : (h / bm - 1) * 100;
    const bad = !figure.control && worse(figure, bm, h);
    if (bad) flagged.push(`${figure.suite}: ${figure.name}`);
    if (figure.control) drift = Math.max(drift, Math.abs(change));
    const verdict = figure.control ? 'control' : bad ? '**worse > 5%**' : 'ok';
    const spread = (v: number[]) =>
      v.length > 1 ? ` (${format(Math.min(...v), figure.unit)}–${format(Math.max(...v), figure.unit)})` : '';
    return `| ${figure.suite} | ${figure.name} | ${format(bm, figure.unit)}${spread(b.values)} | ${format(h, figure.unit)}${spread(values)} | ${change >= 0 ? '+' : ''}${change.toFixed(1)}% (${figure.better} is better) | ${verdict} |`;
  });
  for (const key of base.samples.keys())
    if (!head.samples.has(key)) {
      const { figure } = base.samples.get(key)!;
      rows.push(
        `| ${figure.suite} | ${figure.name} | ${format(median(base.samples.get(key)!.values), figure.unit)} | (none) | | gone |`,
      );
    }
  return {
    md: [
      '| suite | figure | base median (min–max) | HEAD median (min–max) | change | verdict |',
      '|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
    flagged,
    drift,
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'enforcer-bench-base-'));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(', ');
const loadBefore = load();
try {
  console.error(`base ${short(baseSha)} → worktree ${tmp}`);
  git('worktree', 'add', '--detach', tmp, baseSha);
  execFileSync('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], {
    cwd: tmp,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // The same harness on both sides. It starts the server through @enforcer/server/testing and mints tokens
  // with the core's AccessTokenService: a base older than those cannot run it.
  const baseServer = readFileSync(join(tmp, 'server/package.json'), 'utf8');
  if (!baseServer.includes('"./testing"')) {
    throw new Error(
      `${short(baseSha)} predates @enforcer/server/testing, which this harness needs: compare against a later commit`,
    );
  }
  rmSync(join(tmp, 'test/bench'), { recursive: true, force: true });
  cpSync(benchDir, join(tmp, 'test/bench'), { recursive: true });

  const base: Side = { label: `base ${short(baseSha)}`, dir: tmp, samples: new Map() };
  const head: Side = { label: `HEAD ${headLabel}`, dir: root, samples: new Map() };
  const wanted = suiteArgs.length > 0 ? suiteArgs : [...suites];
  let turn = 0;
  for (let round = 0; round < rounds; round++) {
    for (const suite of wanted) {
      const order = turn++ % 2 === 0 ? [base, head] : [head, base];
      for (const side of order) {
        console.error(`round ${round + 1}/${rounds}, ${suite}: ${side.label} ...`);
        await runSide(side, suite);
      }
    }
  }
  const { md, flagged, drift } = table(base, head);
  const suiteList = suiteArgs.length > 0 ? suiteArgs.join(', ') : 'all suites';
  const report = [
    `### ${new Date().toISOString().slice(0, 10)}: \`${short(baseSha)}\`${baseSha.startsWith(baseRef) ? '' : ` (${baseRef})`} against \`${headLabel}\``,
    '',
    `\`pnpm bench:compare ${baseRef}${suiteArgs.length ? ` ${suiteArgs.join(' ')}` : ''} --rounds ${rounds}\` (${suiteList}): ${rounds} round${rounds === 1 ? '' : 's'}, each suite run on base and HEAD back to back (alternating which goes first), both with this checkout's harness; medians of the rounds, with their spread. On ${machine()}; load average (1, 5, 15 min) ${loadBefore} at the start, ${load()} at the end.`,
    '',
    md,
    '',
    `Controls (code this repository does not change: CASL, bare jose, the bare route) moved by up to ${drift.toFixed(0)}% between the sides: a difference of that size is the machine, not the code. The figures relative to a control from the same run are the steadier ones.`,
    '',
    flagged.length === 0
      ? 'No figure worse by more than 5%.'
      : `Worse by more than 5%: ${flagged.join('; ')}.`,
  ].join('\n');
  console.log(report);
  if (flag('--write')) {
    const docPath = join(root, 'docs/benchmarks.md');
    let doc = readFileSync(docPath, 'utf8').trimEnd();
    if (!doc.includes('\n## Comparisons\n'))
      doc += '\n\n## Comparisons\n\nAppended by `pnpm bench:compare <base-ref> --write`, newest last.';
    writeFileSync(docPath, `${doc}\n\n${report}\n`);
    console.error('appended to docs/benchmarks.md');
  }
  if (flagged.length > 0) process.exitCode = 1;
} finally {
  try {
    git('worktree', 'remove', '--force', tmp);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
    git('worktree', 'prune');
  }
  rmSync(tmp, { recursive: true, force: true });
}
