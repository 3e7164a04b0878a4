// The production-like runtime: the built Workers (`wrangler deploy --dry-run`
// output) in workerd through Miniflare's API, with no wrangler dev proxy and
// no inspector. Each worker gets its own direct socket on 127.0.0.1, so a
// request goes load generator -> workerd -> worker, as at the edge.
//
// Layout `split` (the default, as production deploys it): the gateway Worker
// (deploy/wrangler.proxy.toml) runs in one workerd process, the controller
// Worker (deploy/wrangler.controller.toml: the Durable Object, the Workflow)
// in another, so the gateway's process CPU is the gateway's alone. The two
// Miniflare instances meet through a private dev registry, the way two
// `wrangler dev` sessions do: the gateway's Durable Object and service
// bindings to `switchback-controller` cross to the other process (workerd's
// debug port, RPC included), and the KV namespace is one store (Miniflare's
// shared storage: the controller writes the flag, the gateway reads it).
// Layout `combined`: the combined Worker (wrangler.toml) alone in one process.
// The bare proxy worker (the baseline) and the bench-only stage worker run in
// the gateway's process, under the same compatibility date and flags.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare, type V4MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { REPO_ROOT } from '../../dev/stack.ts';
import { BARE_PROXY_SCRIPT, IDENTITY_FLOOR_SCRIPT } from './bare-proxy.ts';
import { BUILDS } from './bundle-size.ts';
import { workerdPids } from './workerd-cpu.ts';

export type Layout = 'split' | 'combined';

export interface RuntimeOptions {
  /** `split` (gateway and controller Workers in two workerd processes, as deployed) or `combined` (wrangler.toml, one process). */
  layout: Layout;
  /** Where the dry-run builds are, when not in BUILDS' directories (tests build into their own). */
  builtDirs?: { gateway?: string; controller?: string };
  /** Variables and secrets of the gateway (the stack's); the controller gets the same, as README "Deploy" says. */
  vars: Record<string, string>;
  gatewayPort: number;
  originUrl: string;
  /** A bench-only worker bundle (stage timings), or none. */
  stageScript?: { path: string; bindings: Record<string, string> };
  /** Profiling only (hotpath-profile.ts): open the stage worker to the inspector on this port. Never for measurements. */
  inspectorPort?: number;
}

export interface Runtime {
  layout: Layout;
  gatewayUrl: string;
  bareUrl: string;
  /** The bare proxy again under another name, in the same process: the A/A control. */
  twinUrl: string;
  /** The identity floor (bare-proxy.ts IDENTITY_FLOOR_SCRIPT), in the same process. */
  floorUrl: string;
  stageUrl?: string;
  /** The workerd process that runs the gateway, the bare proxy and the stage worker: the one measured. */
  gatewayPid: number;
  /** The controller's workerd process (split layout only): not measured, pinned away from the gateway. */
  controllerPid?: number;
  /** The gateway Worker's service bindings (names), as its wrangler config declares them. */
  serviceBindings: string[];
  /** The gateway Worker's env as workerd gives it (bindings reached from Node through Miniflare): for tests of the harness. */
  gatewayBindings(): Promise<Record<string, unknown>>;
  dispose(): Promise<void>;
}

/** Miniflare's legacy (wrangler-shaped) worker options, which it still accepts and converts; loosely typed here. */
type WorkerOptions = Record<string, unknown> & { bindings?: Record<string, unknown> };
type Module = { type: 'ESModule' | 'Text'; path: string; contents: string };

const CONTROLLER_NAME = 'switchback-controller';

/** The built worker's modules: the entry (`<main>.js`, wrangler names it after the source) first, every text module wrangler wrote beside it. */
function builtModules(dir: string): Module[] {
  const files = readdirSync(dir).filter((f) => !f.endsWith('.map') && f !== 'README.md');
  const entries = files.filter((f) => f.endsWith('.js'));
  if (entries.length !== 1) throw new Error(`${dir}: expected one .js entry module, found ${entries.join(', ') || 'none'} (run with HOTPATH_BUILD=1)`);
  const main = entries[0]!;
  return [
    { type: 'ESModule', path: join(dir, main), contents: readFileSync(join(dir, main), 'utf8') },
    ...files.filter((f) => f !== main).map((f) => ({ type: 'Text' as const, path: join(dir, f), contents: readFileSync(join(dir, f), 'utf8') })),
  ];
}

/** A built Worker as wrangler would run it: the bindings its config declares, its name, its vars and secrets. */
function builtWorker(config: string, builtDir: string, name: string, vars: Record<string, string>): WorkerOptions {
  const options = unstable_getMiniflareWorkerOptions(join(REPO_ROOT, config)).workerOptions as WorkerOptions;
  // Not `assets`: the console's static files are served in front of the worker, never on the measured path.
  const { modulesRules: _rules, rootPath: _root, assets: _assets, ...bindingOptions } = options;
  return { ...bindingOptions, name, modules: builtModules(builtDir), bindings: { ...(options.bindings ?? {}), ...vars } };
}

function miniflare(workers: WorkerOptions[], shared: Record<string, unknown>, inspectorPort?: number): Miniflare {
  // cf: false: no download of Cloudflare's request.cf sample (no internet here; the gateway does not read request.cf).
  const v4 = { host: '127.0.0.1', port: 0, cf: false, log: new Log(LogLevel.WARN), workers, ...(inspectorPort !== undefined ? { inspectorPort } : {}) };
  return new Miniflare({ ...convertV4MiniflareOptions(v4 as unknown as V4MiniflareOptions), ...shared } as ConstructorParameters<typeof Miniflare>[0]);
}

/** Starts a Miniflare instance and returns it with the workerd process it spawned. */
async function started(make: () => Miniflare): Promise<{ mf: Miniflare; pid: number }> {
  const before = new Set(workerdPids());
  const mf = make();
  await mf.ready;
  const pid = workerdPids().find((p) => !before.has(p));
  if (pid === undefined) {
    await mf.dispose();
    throw new Error('no new workerd process after Miniflare started');
  }
  return { mf, pid };
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const split = options.layout === 'split';
  const gateway = split
    ? builtWorker('deploy/wrangler.proxy.toml', options.builtDirs?.gateway ?? BUILDS.proxy.outdir, 'switchback', options.vars)
    : builtWorker('wrangler.toml', options.builtDirs?.gateway ?? BUILDS.combined.outdir, 'switchback', options.vars);
  gateway.unsafeDirectSockets = [{ host: '127.0.0.1', port: options.gatewayPort }];
  const bare: WorkerOptions = {
    name: 'bare-proxy',
    compatibilityDate: gateway.compatibilityDate,
    compatibilityFlags: gateway.compatibilityFlags,
    modules: [{ type: 'ESModule', path: 'bare-proxy.js', contents: BARE_PROXY_SCRIPT }],
    bindings: { ORIGIN_URL: options.originUrl },
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  };
  // The A/A control: the same bare proxy under another name, so the bench can measure the bare proxy
  // against itself and print what this harness can resolve (hotpath-report.ts, the control row).
  const bareTwin: WorkerOptions = { ...bare, name: 'bare-proxy-twin' };
  // The identity floor (bare-proxy.ts): the least any identity-adding gateway does, measured like the gateway.
  const floor: WorkerOptions = { ...bare, name: 'identity-floor', modules: [{ type: 'ESModule', path: 'identity-floor.js', contents: IDENTITY_FLOOR_SCRIPT }] };
  const workers: WorkerOptions[] = [gateway, bare, bareTwin, floor];
  if (options.stageScript) {
    workers.push({
      name: 'stages',
      compatibilityDate: gateway.compatibilityDate,
      compatibilityFlags: gateway.compatibilityFlags,
      modules: [{ type: 'ESModule', path: options.stageScript.path, contents: readFileSync(options.stageScript.path, 'utf8') }],
      // The gateway's variables and its KV namespace (the flag the admin API set), its controller for the telemetry flush.
      bindings: { ...(gateway.bindings ?? {}), ...options.stageScript.bindings },
      kvNamespaces: gateway.kvNamespaces,
      analyticsEngineDatasets: gateway.analyticsEngineDatasets,
      durableObjects: { CONTROLLER: { className: 'MigrationController', scriptName: split ? CONTROLLER_NAME : 'switchback', useSQLite: true } },
      unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
      unsafeInspectorProxy: options.inspectorPort !== undefined,
    });
  }

  let controller: { mf: Miniflare; pid: number } | undefined;
  let shared: Record<string, unknown> = {};
  let scratch: string | undefined;
  if (split) {
    // A private registry and storage root: never the global registry other `wrangler dev` sessions on this machine use.
    scratch = mkdtempSync(join(tmpdir(), 'switchback-hotpath-'));
    const common = { enableDevRegistry: true, unsafeDevRegistryPath: join(scratch, 'registry'), unsafeEnableSharedStorage: true, resourcePersistencePath: join(scratch, 'shared') };
    // The controller first: it owns the shared storage (the first instance to register does).
    const controllerWorker = builtWorker('deploy/wrangler.controller.toml', options.builtDirs?.controller ?? BUILDS.controller.outdir, CONTROLLER_NAME, options.vars);
    controller = await started(() => miniflare([controllerWorker], { ...common, isolatedResourcePersistencePath: join(scratch!, 'controller') }));
    shared = { ...common, isolatedResourcePersistencePath: join(scratch, 'gateway') };
  }
  let gw: { mf: Miniflare; pid: number };
  try {
    gw = await started(() => miniflare(workers, shared, options.inspectorPort));
  } catch (err) {
    await controller?.mf.dispose();
    throw err;
  }
  const direct = async (name: string) => (await gw.mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, '');
  return {
    layout: options.layout,
    gatewayUrl: await direct('switchback'),
    bareUrl: await direct('bare-proxy'),
    twinUrl: await direct('bare-proxy-twin'),
    floorUrl: await direct('identity-floor'),
    stageUrl: options.stageScript ? await direct('stages') : undefined,
    gatewayPid: gw.pid,
    controllerPid: controller?.pid,
    serviceBindings: Object.keys((gateway.serviceBindings as Record<string, unknown> | undefined) ?? {}),
    gatewayBindings: () => gw.mf.getBindings('switchback'),
    dispose: async () => {
      await gw.mf.dispose();
      await controller?.mf.dispose();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
