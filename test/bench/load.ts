import { spawn } from 'node:child_process';

/**
 * What every load run shares (the server and Cerbos suites): the schedule's constants, the load runner
 * started as its own process (load-runner.ts: autocannon, so it does not share the server's event loop),
 * and the check that a run did what it claims.
 */

/** autocannon's result, as far as the benches read it. */
export interface AutocannonResult {
  /** total: answers received; sent: requests written (the last ones may be unanswered at the end). */
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  resets: number;
  statusCodeStats: Record<string, { count: number }>;
}

export const DURATION = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
export const CONNECTIONS = 10;

/** One run of the load runner with `config` (see `RunnerConfig` in load-runner.ts). */
export function runLoad(config: Record<string, unknown>): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('./load-runner.ts', import.meta.url).pathname, JSON.stringify(config)],
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

/** Throws unless every request of the run was answered 200 with the expected body. */
export function check(name: string, r: AutocannonResult): void {
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
