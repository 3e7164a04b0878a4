// CPU per stage inside the isolate, without in-isolate timers (workerd
// freezes them during synchronous work): the driver asks the bench-only
// stage worker to run a stage N times in one request and reads the workerd
// process' CPU from the kernel (schedstat, ns) around that request. A `noop`
// run of the same N is subtracted, so request handling and the loop itself
// cancel out; each figure is the median of a few repetitions, run in
// rotation so drift hits every stage alike.
import type { StageKind, StageName } from './stage-worker.ts';
import { median } from './hotpath-report.ts';
import { cpuNs } from './workerd-cpu.ts';

const REPEATS = 5;
/** The telemetry flush runs 200 ms after a request (outcome-recorder.ts): let it land before the next reading. */
const SETTLE_MS = 250;

export interface StageFigure {
  stage: string;
  us: number;
}
export interface KindStages {
  kind: StageKind;
  /**
   * (app − bare) / one RS256 verify, within each repetition (all three read in
   * the same rotation, so drift between repetitions cancels): the median, and
   * the lowest and highest repetition, which show the stage timing's own spread.
   */
  addedPerRs256: { median: number; min: number; max: number };
  /** The whole request through the gateway's app (origin answer canned), and through the bare proxy, in the isolate. */
  appUs: number;
  bareUs: number;
  /** Sum of the stages the proxy route runs for this kind (authenticate includes the sub-stages listed under it). */
  totalUs: number;
  stages: StageFigure[];
}
export interface StageReport {
  iterations: number;
  floor: { rs256Us: number; es256Us: number };
  kinds: KindStages[];
  raw: Record<string, number>;
}

/** What src/routes/proxy.ts runs for a kind, in order; `of which` entries are inside authenticate. */
const PLAN: Record<StageKind, { run: StageName[]; inside?: StageName[] }> = {
  passthrough: { run: ['config', 'origin-request', 'client-key', 'telemetry-enqueue'] },
  'session-auth0': { run: ['config', 'authenticate', 'origin-request', 'gateway-assertion', 'identity-headers', 'client-key', 'telemetry-enqueue'], inside: ['session-decrypt'] },
  'bearer-jwt': { run: ['config', 'authenticate', 'origin-request', 'gateway-assertion', 'identity-headers', 'client-key', 'telemetry-enqueue'], inside: ['jwt-verify'] },
  'opaque-token': { run: ['config', 'authenticate', 'origin-request', 'gateway-assertion', 'identity-headers', 'client-key', 'telemetry-enqueue'], inside: ['introspection-hit', 'flag-read'] },
};

export interface StageCredentials {
  sessionCookie: string;
  jwt: string;
  opaque: string;
  /** The headers the load generator sends per kind (the stages read the same request). */
  headers: Record<StageKind, Record<string, string>>;
  /** The path each kind requests. */
  paths: Record<StageKind, string>;
}

async function runOnce(url: string, workerd: number, stage: StageName, kind: StageKind, n: number, creds: StageCredentials): Promise<number> {
  const before = cpuNs(workerd);
  const res = await fetch(`${url}/run?stage=${stage}&kind=${kind}&n=${n}&path=${encodeURIComponent(creds.paths[kind])}`, { headers: creds.headers[kind] });
  const text = await res.text();
  const after = cpuNs(workerd);
  if (!res.ok) throw new Error(`stage ${stage} (${kind}): HTTP ${res.status} ${text.slice(0, 300)}`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  return after - before;
}

/** Hands the stage worker one credential per kind; it verifies each once (and so fills its key and introspection caches). */
export async function setupStages(url: string, creds: StageCredentials): Promise<void> {
  const setup = await fetch(`${url}/setup`, { method: 'POST', body: JSON.stringify({ sessionCookie: creds.sessionCookie, jwt: creds.jwt, opaque: creds.opaque }) });
  if (!setup.ok) throw new Error(`stage worker setup: HTTP ${setup.status} ${await setup.text()}`);
  console.log(`  stage worker verified: ${JSON.stringify(await setup.json())}`);
}

export async function measureStages(url: string, workerd: number, n: number, creds: StageCredentials): Promise<StageReport> {
  await setupStages(url, creds);

  const jobs = new Map<string, { stage: StageName; kind: StageKind }>();
  const add = (stage: StageName, kind: StageKind) => jobs.set(`${stage}|${kind}`, { stage, kind });
  for (const kind of Object.keys(PLAN) as StageKind[]) {
    add('noop', kind);
    add('app', kind);
    add('bare', kind);
    for (const s of [...PLAN[kind].run, ...(PLAN[kind].inside ?? [])]) add(s, kind);
  }
  add('floor-rs256', 'passthrough');
  add('floor-es256', 'passthrough');
  // Warm every stage (JIT, caches) before any reading.
  for (const j of jobs.values()) await runOnce(url, workerd, j.stage, j.kind, Math.min(n, 200), creds);
  const readings = new Map<string, number[]>();
  for (let r = 0; r < REPEATS; r++) {
    for (const [key, j] of jobs) readings.set(key, [...(readings.get(key) ?? []), await runOnce(url, workerd, j.stage, j.kind, n, creds)]);
  }
  const raw: Record<string, number> = {};
  const perIter = (stage: StageName, kind: StageKind) => {
    const net = (median(readings.get(`${stage}|${kind}`)!) - median(readings.get(`noop|${kind}`)!)) / n / 1000;
    raw[`${stage}|${kind}`] = net;
    return net;
  };
  const floor = { rs256Us: perIter('floor-rs256', 'passthrough'), es256Us: perIter('floor-es256', 'passthrough') };
  const kinds = (Object.keys(PLAN) as StageKind[]).map((kind) => {
    const run = PLAN[kind].run.map((stage) => ({ stage, us: perIter(stage, kind) }));
    const inside = (PLAN[kind].inside ?? []).map((stage) => ({ stage: `  of which ${stage}`, us: perIter(stage, kind) }));
    const stages = run.flatMap((s) => (s.stage === 'authenticate' ? [s, ...inside] : [s]));
    const at = (stage: StageName, k: StageKind, r: number) => readings.get(`${stage}|${k}`)![r]! - readings.get(`noop|${k}`)![r]!;
    const perRep = Array.from({ length: REPEATS }, (_, r) => (at('app', kind, r) - at('bare', kind, r)) / at('floor-rs256', 'passthrough', r));
    const addedPerRs256 = { median: median(perRep), min: Math.min(...perRep), max: Math.max(...perRep) };
    return { kind, addedPerRs256, appUs: perIter('app', kind), bareUs: perIter('bare', kind), totalUs: run.reduce((t, s) => t + s.us, 0), stages };
  });
  return { iterations: n, floor, kinds, raw };
}
