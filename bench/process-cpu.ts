// CPU time of the gateway (wrangler, its esbuild watcher and both workerd
// processes: the child processes the stack spawned) and of this process (load generator, origin, IdPs), from /proc and
// process.cpuUsage. On a 2-core machine throughput ratios move with whatever
// else runs; CPU per request at the gateway is the steadier cost figure.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  // After "(comm) ": state ppid ... utime (14th field) stime (15th).
  const f = text.slice(close + 2).split(' ');
  return { pid, ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) };
}

export interface CpuSnapshot {
  /** ms of CPU of each of this process' descendants (wrangler's node, workerd, ...), by pid. */
  gateway: Map<number, { comm: string; ms: number }>;
  /** ms of CPU of this process, all threads. */
  self: number;
  /** ms of CPU the whole machine spent busy, and stolen by the hypervisor (/proc/stat). */
  machineBusy: number;
  machineSteal: number;
  at: number;
}

function machineTicks(): { busy: number; steal: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal ...
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return { busy: user! + nice! + system! + irq! + softirq!, steal: steal ?? 0 };
  } catch {
    return { busy: 0, steal: 0 };
  }
}

export function cpuSnapshot(): CpuSnapshot {
  const stats: ProcStat[] = [];
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    // no /proc (not Linux): gateway CPU is reported as 0
  }
  for (const p of pids) {
    const s = readStat(Number(p));
    if (s) stats.push(s);
  }
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const gateway = new Map<number, { comm: string; ms: number }>();
  // tsx's own esbuild service is our child too, but not part of the gateway.
  const queue = (children.get(process.pid) ?? []).filter((s) => s.comm !== 'esbuild');
  while (queue.length) {
    const s = queue.shift()!;
    gateway.set(s.pid, { comm: s.comm, ms: (s.ticks * 1000) / ticksPerSecond() });
    queue.push(...(children.get(s.pid) ?? []));
  }
  const u = process.cpuUsage();
  const m = machineTicks();
  const ms = 1000 / ticksPerSecond();
  return { gateway, self: (u.user + u.system) / 1000, machineBusy: m.busy * ms, machineSteal: m.steal * ms, at: performance.now() };
}

export interface CpuDelta {
  gatewayMs: number;
  gatewayByProcess: Record<string, number>;
  /** A gateway process started or ended in between (wrangler restarted workerd): CPU figures are partial. */
  gatewayRestarted: boolean;
  selfMs: number;
  /** Average cores busy with processes outside this benchmark (other work on the machine). */
  otherCores: number;
  /** Average cores stolen by the hypervisor. */
  stealCores: number;
}

export function cpuDelta(a: CpuSnapshot, b: CpuSnapshot): CpuDelta {
  const byProcess: Record<string, number> = {};
  let restarted = false;
  for (const [pid, p] of b.gateway) {
    const before = a.gateway.get(pid);
    if (!before) restarted = true;
    byProcess[`${p.comm} ${pid}`] = p.ms - (before?.ms ?? 0);
  }
  for (const pid of a.gateway.keys()) if (!b.gateway.has(pid)) restarted = true;
  const gatewayMs = Object.values(byProcess).reduce((x, y) => x + y, 0);
  const selfMs = b.self - a.self;
  const wall = b.at - a.at;
  return {
    gatewayMs,
    gatewayByProcess: byProcess,
    gatewayRestarted: restarted,
    selfMs,
    otherCores: Math.max(0, b.machineBusy - a.machineBusy - gatewayMs - selfMs) / wall,
    stealCores: (b.machineSteal - a.machineSteal) / wall,
  };
}
