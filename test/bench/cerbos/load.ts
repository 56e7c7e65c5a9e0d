import { type AutocannonResult, CONNECTIONS, check, DURATION, runLoad } from '../load';

export { CONNECTIONS, DURATION };

/**
 * Load runs for the Cerbos suite, through the same load runner as the server bench
 * (test/bench/load-runner.ts: autocannon in a separate process), with the same schedule: a 2 s
 * warm-up, a run as fast as it goes, then a run at half the rate that one reached. A run counts
 * only if every answer was a 200 with the expected JSON (no errors, timeouts or mismatches).
 */

export interface LoadFigure {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  /** Answers received, all checked (status 200, expected JSON). */
  answers: number;
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
