import { cpus, totalmem } from 'node:os';

/**
 * A small, honest micro-benchmark loop: warm up, then time several batches and report the
 * median (robust to a noisy neighbour on a 2-core machine). The result of every call is
 * folded into a sink so the JIT cannot drop the work.
 */
export interface Measurement {
  name: string;
  nsPerOp: number;
  opsPerSec: number;
}

/** One number a suite reports, in the shape `pnpm bench --json` prints and `pnpm bench:compare` compares. */
export interface Figure {
  suite: string;
  name: string;
  value: number;
  unit: string;
  better: 'lower' | 'higher';
  /** The smallest step the figure can show (whole milliseconds, say): a difference within it is not a change. */
  resolution?: number;
  /**
   * Code this repository does not change (CASL, bare jose, a bare Fastify route): measured beside
   * ours so a comparison can tell the machine's drift from a change. Ours relative to it, from
   * the same run, is a figure of its own (unit `×`).
   */
  control?: boolean;
}

/** The suites `pnpm bench` knows, in the order it runs them. */
export const suites = ['policy', 'server', 'two-processes', 'cerbos', 'verifier', 'sdk-size'] as const;
export type Suite = (typeof suites)[number];

let sink = 0;

export function measure(
  name: string,
  fn: (i: number) => unknown,
  options: { batch?: number; batches?: number } = {},
): Measurement {
  const batch = options.batch ?? 200_000;
  const batches = options.batches ?? 9;
  for (let i = 0; i < batch; i++) sink ^= fn(i) ? 1 : 0; // warm-up
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink ^= fn(i) ? 1 : 0;
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  samples.sort((x, y) => x - y);
  const nsPerOp = samples[Math.floor(samples.length / 2)]!;
  return { name, nsPerOp, opsPerSec: 1e9 / nsPerOp };
}

/** A timed operation as a figure: time per operation, lower is better. */
export function timeFigure(suite: string, m: Measurement, control = false): Figure {
  return { suite, name: m.name, value: m.nsPerOp, unit: 'ns', better: 'lower', ...(control && { control }) };
}

/** Time per operation relative to a control timed in the same run: steadier than either on a busy machine. */
export function relativeFigure(suite: string, m: Measurement, control: Measurement): Figure {
  return {
    suite,
    name: `${m.name}, relative to ${control.name}`,
    value: m.nsPerOp / control.nsPerOp,
    unit: '×',
    better: 'lower',
  };
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

export function formatNs(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(1)} ns`;
}

export function formatRate(ops: number): string {
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)} M/s`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(1)} k/s`;
  return `${ops.toFixed(0)} /s`;
}

/** Keeps the sink observable. */
export function sinkValue(): number {
  return sink;
}
