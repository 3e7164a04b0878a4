// `npm run bench:hotpath:profile`: where the gateway's CPU goes, by function.
// Runs the whole request (the stage worker's `app` stage: routing,
// middleware, verification, forwarding, with a canned origin answer) N times
// per kind under V8's sampling profiler, through the inspector Miniflare
// opens for the stage worker only, and prints the functions with the most
// self time. The inspector slows everything: this says where, not how much;
// `npm run bench:hotpath` (no inspector) says how much.
import { REPO_ROOT, startStack } from '../../dev/stack.ts';
import { readOptions } from '../bench-options.ts';
import { prepareKinds } from '../bench-kinds.ts';
import { getFreePort } from '../../dev/free-port.ts';
import { BUILDS, buildWorker } from './bundle-size.ts';
import { stageCredentials } from './credentials.ts';
import { HOTPATH_KINDS, type HotpathKind } from './options.ts';
import { startRuntime } from './runtime.ts';
import { setupStages } from './stage-timing.ts';
import { buildStageWorker } from './stage-worker-build.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

class Inspector {
  #ws: WebSocket;
  #next = 1;
  #waiting = new Map<number, (r: unknown) => void>();
  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener('message', (e) => {
      const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: unknown };
      // workerd answers some commands by echoing them (method and params, no result): that is the answer.
      if (m.id === undefined) return;
      this.#waiting.get(m.id)?.(m.error ? Promise.reject(new Error(JSON.stringify(m.error))) : m.result);
      this.#waiting.delete(m.id);
    });
  }
  static async open(url: string): Promise<Inspector> {
    // Miniflare's inspector proxy wants an Origin it knows (DevTools' or loopback).
    const ws = new WebSocket(url, { headers: { origin: 'http://127.0.0.1' } } as unknown as string[]);
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve, { once: true });
      ws.addEventListener('error', () => reject(new Error(`inspector at ${url} refused`)), { once: true });
    });
    return new Inspector(ws);
  }
  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve as (r: unknown) => void);
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }
  close(): void {
    this.#ws.close();
  }
}

function top(nodes: ProfileNode[], limit: number): string[] {
  const total = nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
  const byFrame = new Map<string, number>();
  for (const n of nodes) {
    const file = n.callFrame.url.replace(/^.*\//, '') || '(native)';
    const key = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + (n.hitCount ?? 0));
  }
  return [...byFrame]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

async function main(): Promise<void> {
  const n = Number(process.env.HOTPATH_PROFILE_ITERATIONS ?? 3000);
  const kinds = (process.env.HOTPATH_KINDS?.split(',') ?? HOTPATH_KINDS) as HotpathKind[];
  // The combined Worker in one process: the profile is of the stage worker's isolate, the layout does not matter to it.
  if (process.env.HOTPATH_BUILD !== '0') buildWorker(BUILDS.combined);
  const stack = await startStack({ startGateway: false });
  const inspectorPort = await getFreePort();
  const runtime = await startRuntime({
    layout: 'combined',
    vars: stack.vars,
    gatewayPort: Number(new URL(stack.gatewayUrl).port),
    originUrl: stack.originUrl,
    stageScript: await buildStageWorker(),
    inspectorPort,
  });
  try {
    const prepared = await prepareKinds(stack, { ...readOptions(), kinds: [...HOTPATH_KINDS] });
    const creds = stageCredentials(prepared);
    await setupStages(runtime.stageUrl!, creds);
    const inspector = await Inspector.open(`ws://127.0.0.1:${inspectorPort}/stages`);
    await inspector.send('Runtime.enable');
    await inspector.send('Profiler.enable');
    await inspector.send('Profiler.setSamplingInterval', { interval: 50 });
    for (const kind of kinds) {
      const run = (iterations: number) =>
        fetch(`${runtime.stageUrl}/run?stage=app&kind=${kind}&n=${iterations}&path=${encodeURIComponent(creds.paths[kind])}`, { headers: creds.headers[kind] }).then(async (r) => {
          if (!r.ok) throw new Error(`${kind}: HTTP ${r.status} ${await r.text()}`);
        });
      await run(500);
      await inspector.send('Profiler.start');
      await run(n);
      const { profile } = await inspector.send<{ profile: { nodes: ProfileNode[] } }>('Profiler.stop');
      console.log(`\n${kind}: ${n} whole requests in the isolate, functions by self time (source: ${REPO_ROOT}.wrangler/hotpath/stage-worker.js)`);
      for (const line of top(profile.nodes, Number(process.env.HOTPATH_PROFILE_TOP ?? 25))) console.log(line);
    }
    inspector.close();
  } finally {
    await runtime.dispose();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
