/**
 * CPU accounting from /proc, so a run says by itself which component was saturated: the service processes,
 * the benchmark itself, PostgreSQL, Redis, whatever else the benchmark names, and the rest of the machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { now } from './lifecycle';

/** The part of the machine's busy time that no named part accounts for. */
export const OTHER_LABEL = 'other (kernel, other jobs)';
export const MACHINE_LABEL = 'machine total';
/** Kernel networking alone costs about 0.1 core here; more "other" than this means something else was running. */
export const OTHER_CPU_WARNING = 0.25;

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** [user, kernel] CPU seconds, or cores. */
export type Cpu = [number, number];
const NO_CPU: Cpu = [NaN, NaN];

/** User plus kernel. */
export const busy = ([user, sys]: Cpu): number => user + sys;

interface ProcStat {
  comm: string;
  ppid: number;
  /** User and kernel CPU seconds. */
  user: number;
  sys: number;
}

/** CPU seconds of one process: own time plus that of children it reaped (PostgreSQL's postmaster reaps closed backends). */
function procStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // Fields 4 (ppid) and 14-17 (utime, stime, cutime, cstime) of proc(5); `fields` starts at field 3.
    const user = (Number(fields[11]) + Number(fields[13])) / CLOCK_TICKS;
    const sys = (Number(fields[12]) + Number(fields[14])) / CLOCK_TICKS;
    return { comm, ppid: Number(fields[1]), user, sys };
  } catch {
    return null; // gone, or not Linux
  }
}

function allProcs(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const p = procStat(Number(entry));
    if (p) out.set(Number(entry), p);
  }
  return out;
}

function sumCpu(list: Array<ProcStat | undefined>): Cpu {
  const found = list.filter((p): p is ProcStat => p !== undefined);
  return found.length ? [found.reduce((a, p) => a + p.user, 0), found.reduce((a, p) => a + p.sys, 0)] : NO_CPU;
}

function cpuOfCommand(procs: Map<number, ProcStat>, prefix: string): Cpu {
  return sumCpu([...procs.values()].filter((p) => p.comm.startsWith(prefix)));
}

/** The first line of /proc/stat in seconds: the whole machine since boot, or null where it cannot be read. */
function procStatSeconds(): Record<'user' | 'nice' | 'system' | 'idle' | 'iowait' | 'irq' | 'softirq' | 'steal', number> | null {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((ticks) => Number(ticks) / CLOCK_TICKS);
    return { user, nice, system, idle, iowait, irq, softirq, steal };
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine (everything but idle and iowait). */
function machineCpuSeconds(): Cpu {
  const t = procStatSeconds();
  return t ? [t.user + t.nice, t.system + t.irq + t.softirq + t.steal] : NO_CPU;
}

/** The whole machine's CPU seconds since boot: busy (steal included), stolen by the host, and all (idle too). */
export function machineCpu(): { busy: number; steal: number; all: number } {
  const t = procStatSeconds();
  if (!t) return { busy: NaN, steal: NaN, all: NaN };
  const busy = t.user + t.nice + t.system + t.irq + t.softirq + t.steal;
  return { busy, steal: t.steal, all: busy + t.idle + t.iowait };
}

export interface CpuPart {
  label: string;
  pid: number | null | undefined;
  /** Count its direct children too (Dovecot's and OpenSMTPD's workers are children of their master). */
  withChildren?: boolean;
}

export interface CpuSnapshot {
  at: number;
  byLabel: Map<string, Cpu>;
}

/**
 * CPU seconds so far of each part of the system, in this order: the `services`, this process as `selfLabel`,
 * PostgreSQL, Redis and the `others` (e.g. mail servers). The machine total is taken too, so that whatever else ran meanwhile (kernel networking, or
 * another job on a shared box) shows up as "other" instead of being missed.
 */
export function cpuSnapshot(services: CpuPart[], selfLabel: string, others: CpuPart[] = []): CpuSnapshot {
  const procs = allProcs();
  const byLabel = new Map<string, Cpu>();
  const ofPart = ({ pid, withChildren }: CpuPart): Cpu => {
    const own = pid ? procs.get(pid) : undefined;
    return own ? sumCpu([own, ...(withChildren ? [...procs.values()].filter((p) => p.ppid === pid) : [])]) : NO_CPU;
  };
  for (const part of services) byLabel.set(part.label, ofPart(part));
  const self = process.cpuUsage();
  byLabel.set(selfLabel, [self.user / 1e6, self.system / 1e6]);
  byLabel.set('postgresql', cpuOfCommand(procs, 'postgres'));
  byLabel.set('redis', cpuOfCommand(procs, 'redis-server'));
  for (const part of others) byLabel.set(part.label, ofPart(part));
  byLabel.set('machine', machineCpuSeconds());
  return { at: now(), byLabel };
}

export interface CpuUse {
  seconds: number;
  /** Cores ([user, kernel]) per part, then OTHER_LABEL and MACHINE_LABEL. */
  cores: Map<string, Cpu>;
}

/** Cores used per part between two snapshots, with "other" = machine minus the named parts. */
export function coresBetween(start: CpuSnapshot, end: CpuSnapshot): CpuUse {
  const seconds = (end.at - start.at) / 1000;
  const cores = new Map<string, Cpu>();
  for (const [label, [user, sys]] of end.byLabel) {
    const [user0, sys0] = start.byLabel.get(label) ?? NO_CPU;
    cores.set(label, [(user - user0) / seconds, (sys - sys0) / seconds]);
  }
  const machine = cores.get('machine')!;
  cores.delete('machine');
  const named = [...cores.values()].reduce<Cpu>(
    (a, [u, k]) => [a[0] + (Number.isFinite(u) ? u : 0), a[1] + (Number.isFinite(k) ? k : 0)],
    [0, 0],
  );
  cores.set(OTHER_LABEL, [machine[0] - named[0], machine[1] - named[1]]);
  cores.set(MACHINE_LABEL, machine);
  return { seconds, cores };
}

/**
 * CPU seconds (user + kernel) so far of `pid`, with its live direct children when asked (a postmaster's backends),
 * or NaN when it is gone: for parts whose process may be killed and started again during a run.
 */
export function cpuSecondsOf(pid: number, withChildren = false): number {
  const own = procStat(pid);
  if (!own) return NaN;
  const children = withChildren ? [...allProcs().values()].filter((p) => p.ppid === pid) : [];
  return busy(sumCpu([own, ...children]));
}

/**
 * Seconds a process's main thread has run on a core and waited for one while runnable, since it started
 * (/proc/<pid>/schedstat); null where it cannot be read. A thread that waits much of a window is short of CPU
 * whatever its own usage says: its event loop is late by that wait.
 */
export function mainThreadSchedule(pid: number | null | undefined): { ran: number; waited: number } | null {
  if (!pid) return null;
  try {
    const [ran, waited] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(ran) && Number.isFinite(waited) ? { ran: ran / 1e9, waited: waited / 1e9 } : null;
  } catch {
    return null;
  }
}
