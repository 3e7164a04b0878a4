// What the figures were measured on: they mean little without the CPU count,
// the runtimes and the load the machine already had.
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../dev/stack.ts';

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  wrangler: string;
  workerd: string;
  loadAverageAtStart: number[];
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    wrangler: pkgVersion('wrangler'),
    workerd: pkgVersion('workerd'),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
