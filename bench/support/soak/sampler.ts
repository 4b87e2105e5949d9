/**
 * Memory and CPU of every part of a soak run, sampled every few seconds: the service processes (their V8 heap and
 * resident size from their own /metrics), and the servers around them from /proc (resident size, or for
 * PostgreSQL the proportional size of the postmaster and its backends, which share one buffer cache). A part
 * whose process is killed and started again keeps its slot: CPU adds up across its lives, and its memory's
 * warm-up is counted from its latest start.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpuSecondsOf } from '../cpu';
import { sleep, stopping } from '../lifecycle';

export interface Part {
  label: string;
  kind: 'service' | 'server';
  /** The process now (it changes when the part is restarted), or null while it is down. */
  pid: () => number | null | undefined;
  /** For a service process: its port and the token of its /metrics. */
  metrics?: { port: number; token: string };
  /** PostgreSQL: the postmaster's backends count too. */
  withChildren?: boolean;
}

interface Sample {
  at: number;
  pid: number;
  /** Bytes: V8 heap alive after the last full collection (service processes only), resident or proportional set size. */
  heap: number;
  memory: number;
}

interface Slot {
  part: Part;
  samples: Sample[];
  /** Date.now() when the current process was first seen. */
  since: number;
  pid: number | null;
  cpuAtPid: number;
  cpuSeconds: number;
  restarts: number;
}

export interface PartFigures {
  label: string;
  kind: Part['kind'];
  restarts: number;
  cores: number;
  /**
   * Bytes alive after the first full collection after warm-up and after the last one (NaN until there is a second):
   * the heap in use at a sampling moment swings by half with the garbage awaiting collection, which a short run
   * cannot tell from growth.
   */
  heapWarm: number;
  heapEnd: number;
  /** Medians of the first three samples after warm-up and of the last three, in bytes (NaN without samples). */
  memoryWarm: number;
  memoryEnd: number;
}

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

function kib(file: string, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function serviceMemory(metrics: { port: number; token: string }): Promise<{ heap: number; rss: number }> {
  try {
    const res = await fetch(`http://127.0.0.1:${metrics.port}/metrics`, {
      headers: { authorization: `Bearer ${metrics.token}` },
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
    // 0 until the process ran its first full collection.
    const live = value('vp_nodejs_heap_live_bytes');
    return { heap: live > 0 ? live : NaN, rss: value('vp_process_resident_memory_bytes') };
  } catch {
    return { heap: NaN, rss: NaN };
  }
}

/** Each full collection changes the figure: the first new one after warm-up, and the last one if it is another. */
function liveHeapAfterWarmUp(samples: Sample[], warmFrom: number): { heapWarm: number; heapEnd: number } {
  const known = samples.filter((s) => Number.isFinite(s.heap));
  const before = known.filter((s) => s.at < warmFrom).at(-1)?.heap;
  const warm = known.find((s) => s.at >= warmFrom && s.heap !== before);
  const last = known.at(-1);
  if (!warm) return { heapWarm: NaN, heapEnd: NaN };
  return { heapWarm: warm.heap, heapEnd: last && last !== warm && last.heap !== warm.heap ? last.heap : NaN };
}

export class Sampler {
  private readonly slots: Slot[];
  private running = true;
  private readonly loop: Promise<void>;
  private readonly startedAt = Date.now();
  private windowEnd: { at: number; cpu: number[] } | undefined;

  constructor(
    parts: Part[],
    private readonly everyMs: number,
  ) {
    this.slots = parts.map((part) => ({ part, samples: [], since: Date.now(), pid: null, cpuAtPid: NaN, cpuSeconds: 0, restarts: 0 }));
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running && !stopping) {
      const began = Date.now();
      await Promise.all(this.slots.map((slot) => this.sample(slot)));
      await sleep(Math.max(0, this.everyMs - (Date.now() - began)));
    }
  }

  private async sample(slot: Slot): Promise<void> {
    const pid = slot.part.pid();
    if (!pid) return;
    const cpu = cpuSecondsOf(pid, slot.part.withChildren);
    if (pid !== slot.pid) {
      if (slot.pid !== null) slot.restarts += 1;
      slot.pid = pid;
      slot.since = Date.now();
      slot.cpuAtPid = cpu;
      slot.samples = [];
    } else if (Number.isFinite(cpu) && Number.isFinite(slot.cpuAtPid)) {
      slot.cpuSeconds += cpu - slot.cpuAtPid;
      slot.cpuAtPid = cpu;
    }
    let heap = NaN;
    let memory: number;
    if (slot.part.metrics) {
      const m = await serviceMemory(slot.part.metrics);
      heap = m.heap;
      memory = m.rss;
    } else if (slot.part.withChildren) {
      memory = [pid, ...childrenOf(pid)].reduce((sum, p) => sum + (kib(`/proc/${p}/smaps_rollup`, 'Pss') || 0), 0);
    } else {
      memory = kib(`/proc/${pid}/status`, 'VmRSS');
    }
    slot.samples.push({ at: Date.now(), pid, heap, memory });
  }

  /** Ends the CPU window (the sending time): the drain after it, when the parts idle, is not averaged in. */
  markEnd(): void {
    this.windowEnd ??= { at: Date.now(), cpu: this.slots.map((slot) => slot.cpuSeconds) };
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * Figures per part: CPU over the window (to markEnd), memory from warm-up (`warmupMs` after a process's start,
   * or the sampler's for one running before) to the last sample.
   */
  figures(warmupMs: number): PartFigures[] {
    const seconds = ((this.windowEnd?.at ?? Date.now()) - this.startedAt) / 1000;
    return this.slots.map(({ part, samples, since, cpuSeconds: total, restarts }, i) => {
      const cpuSeconds = this.windowEnd?.cpu[i] ?? total;
      const warm = samples.filter((s) => s.at >= since + warmupMs).slice(0, 3);
      const end = samples.slice(-3);
      const { heapWarm, heapEnd } = liveHeapAfterWarmUp(samples, since + warmupMs);
      return {
        label: part.label,
        kind: part.kind,
        restarts,
        cores: cpuSeconds / seconds,
        heapWarm,
        heapEnd,
        memoryWarm: median(warm.map((s) => s.memory)),
        memoryEnd: median(end.map((s) => s.memory)),
      };
    });
  }
}
