import { spawn } from 'node:child_process';

/**
 * Load runs for the Cerbos suite, through the same load runner as the server bench
 * (test/bench/load-runner.ts: autocannon in a separate process), with the same schedule: a 2 s
 * warm-up, a run as fast as it goes, then a run at half the rate that one reached. A run counts
 * only if every answer was a 200 with the expected JSON (no errors, timeouts or mismatches).
 */

interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  resets: number;
  statusCodeStats: Record<string, { count: number }>;
}

export interface LoadFigure {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  /** Answers received, all checked (status 200, expected JSON). */
  answers: number;
}

export const DURATION = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
export const CONNECTIONS = 10;

function runLoad(config: Record<string, unknown>): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('../load-runner.ts', import.meta.url).pathname, JSON.stringify(config)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load runner exited ${code}`)),
    );
  });
}

/** Throws unless every request of the run was answered 200 with the expected JSON. */
function check(name: string, r: AutocannonResult): void {
  const statuses = Object.entries(r.statusCodeStats ?? {})
    .map(([code, { count }]) => `${code}: ${count}`)
    .join(', ');
  const problems = [
    r.requests.total === 0 && 'no answers',
    r.non2xx > 0 && `${r.non2xx} non-2xx (${statuses})`,
    Object.keys(r.statusCodeStats ?? {}).some((code) => code !== '200') && `statuses ${statuses}`,
    r.errors > 0 && `${r.errors} errors`,
    r.timeouts > 0 && `${r.timeouts} timeouts`,
    r.mismatches > 0 && `${r.mismatches} answers with an unexpected body`,
    r.resets > 0 && `${r.resets} request resets`,
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
}

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The answer every request must get, once `ignoreKeys` are dropped. */
  expectJson: unknown;
  ignoreKeys?: string[];
}

export async function measureTarget(t: Target): Promise<{ max: LoadFigure; half: LoadFigure }> {
  const base = {
    url: t.url,
    method: 'POST',
    headers: t.headers,
    body: t.body,
    expectJson: t.expectJson,
    ignoreKeys: t.ignoreKeys ?? [],
    connections: CONNECTIONS,
    durationSeconds: DURATION,
  };
  const run = async (label: string, extra: Record<string, unknown>) => {
    const r = await runLoad({ ...base, ...extra });
    check(label, r);
    return r;
  };
  await run(`${t.name} (warm-up)`, { durationSeconds: 2 });
  const max = await run(`${t.name} (max)`, {});
  const halfRate = Math.max(1, Math.floor(max.requests.average / 2));
  const half = await run(`${t.name} (at ${halfRate} req/s)`, { overallRate: halfRate });
  const figure = (label: string, r: AutocannonResult): LoadFigure => ({
    name: label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    answers: r.requests.total,
  });
  return { max: figure(`${t.name} (max)`, max), half: figure(`${t.name} (at ${halfRate} req/s)`, half) };
}

/** One request before the load: it must answer 200; returns the parsed answer. */
export async function expectOk(url: string, headers: Record<string, string>, body: string): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${text}`);
  return JSON.parse(text);
}
