import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time spent by this process (the server under load runs in it) and by a PostgreSQL cluster (its
 * postmaster and every backend), read from /proc, so a load run can say what one answer cost each side.
 * Linux only: elsewhere `pgCpuMs` is undefined and the bench prints no PostgreSQL figure.
 */

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

interface ProcTimes {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself, and cutime + cstime of its reaped children, in ticks. */
  own: number;
  reaped: number;
}

function procTimes(pid: number): ProcTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    const field = (n: number) => Number(fields[n - 3]);
    return { pid, ppid: field(4), own: field(14) + field(15), reaped: field(16) + field(17) };
  } catch {
    return undefined; // the process ended while we looked
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** The postmaster of the cluster whose data directory is under `dataDir`. */
export function findPostmaster(dataDir: string): number | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const pid of allPids()) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmdline.some((arg) => arg.startsWith(dataDir)) && /postgres$/.test(cmdline[0] ?? '')) return pid;
    } catch {}
  }
  return undefined;
}

/**
 * Milliseconds of CPU the cluster has used so far: the postmaster's own and its reaped children's
 * (backends that ended), plus every live backend's.
 */
export function pgCpuMs(postmaster: number | undefined): number | undefined {
  if (postmaster === undefined) return undefined;
  const main = procTimes(postmaster);
  if (!main) return undefined;
  let ticks = main.own + main.reaped;
  for (const pid of allPids()) {
    const p = procTimes(pid);
    if (p && p.ppid === postmaster) ticks += p.own;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Milliseconds of CPU this process has used so far (user + system). */
export function nodeCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Milliseconds of CPU another process (a server started as a child) has used so far, or undefined. */
export function processCpuMs(pid: number): number | undefined {
  const times = procTimes(pid);
  return times === undefined ? undefined : (times.own * 1000) / TICKS_PER_SECOND;
}
