// CPU time of the workerd process that runs the workers, in nanoseconds,
// from /proc/<pid>/task/*/schedstat (the scheduler's own accounting: far
// finer than /proc/<pid>/stat's 10 ms ticks). Read from outside the isolate,
// so it does not depend on workerd's frozen in-isolate clocks.
import { readdirSync, readFileSync } from 'node:fs';

/** Descendant processes of this one named `workerd` (each Miniflare instance spawns one). */
export function workerdPids(): number[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const text = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = text.lastIndexOf(')');
      names.set(Number(d), text.slice(text.indexOf('(') + 1, close));
      parents.set(Number(d), Number(text.slice(close + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const isMine = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...names].filter(([pid, name]) => name === 'workerd' && isMine(pid)).map(([pid]) => pid);
}

/** Total on-CPU nanoseconds of every thread of `pid` (threads that ended are lost: workerd keeps its threads). */
export function cpuNs(pid: number): number {
  let total = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // thread ended between the listing and the read
    }
  }
  return total;
}
