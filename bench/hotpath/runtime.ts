// The production-like runtime: the built worker (`wrangler deploy --dry-run`
// output) in workerd through Miniflare's API, with no wrangler dev proxy and
// no inspector. Each worker gets its own direct socket on 127.0.0.1, so a
// request goes load generator -> workerd -> worker, as at the edge. A bare
// proxy worker (the baseline) and the bench-only stage worker run in the same
// workerd process, under the same compatibility date and flags.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare, type V4MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { REPO_ROOT } from '../../dev/stack.ts';
import { BARE_PROXY_SCRIPT } from './bare-proxy.ts';

export interface RuntimeOptions {
  /** The dry-run output directory (worker.js and the text modules beside it). */
  builtDir: string;
  /** Variables and secrets of the gateway (the stack's). */
  vars: Record<string, string>;
  gatewayPort: number;
  originUrl: string;
  /** A bench-only worker bundle (stage timings), or none. */
  stageScript?: { path: string; bindings: Record<string, string> };
  /** Profiling only (hotpath-profile.ts): open the stage worker to the inspector on this port. Never for measurements. */
  inspectorPort?: number;
}

export interface Runtime {
  gatewayUrl: string;
  bareUrl: string;
  stageUrl?: string;
  dispose(): Promise<void>;
}

/** Miniflare's legacy (wrangler-shaped) worker options, which it still accepts and converts; loosely typed here. */
type WorkerOptions = Record<string, unknown>;
type Module = { type: 'ESModule' | 'Text'; path: string; contents: string };

/** The built worker's modules: worker.js first, every text module wrangler wrote beside it. */
function builtModules(dir: string): Module[] {
  const files = readdirSync(dir).filter((f) => f !== 'worker.js' && !f.endsWith('.map') && f !== 'README.md');
  return [
    { type: 'ESModule', path: join(dir, 'worker.js'), contents: readFileSync(join(dir, 'worker.js'), 'utf8') },
    ...files.map((f) => ({ type: 'Text' as const, path: join(dir, f), contents: readFileSync(join(dir, f), 'utf8') })),
  ];
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  // The bindings wrangler.toml declares (KV, Durable Object, rate limiters, analytics, workflow), as wrangler would give them.
  const workerOptions = unstable_getMiniflareWorkerOptions(join(REPO_ROOT, 'wrangler.toml')).workerOptions as WorkerOptions & { bindings?: Record<string, unknown> };
  // Not `assets`: the console's static files are served in front of the worker, never on the measured path.
  const { modulesRules: _rules, rootPath: _root, assets: _assets, ...bindingOptions } = workerOptions;
  const gateway: WorkerOptions = {
    ...bindingOptions,
    name: 'switchback',
    modules: builtModules(options.builtDir),
    bindings: { ...(workerOptions.bindings ?? {}), ...options.vars },
    unsafeDirectSockets: [{ host: '127.0.0.1', port: options.gatewayPort }],
  };
  const bare: WorkerOptions = {
    name: 'bare-proxy',
    compatibilityDate: workerOptions.compatibilityDate,
    compatibilityFlags: workerOptions.compatibilityFlags,
    modules: [{ type: 'ESModule', path: 'bare-proxy.js', contents: BARE_PROXY_SCRIPT }],
    bindings: { ORIGIN_URL: options.originUrl },
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  };
  const workers: WorkerOptions[] = [gateway, bare];
  if (options.stageScript) {
    workers.push({
      name: 'stages',
      compatibilityDate: workerOptions.compatibilityDate,
      compatibilityFlags: workerOptions.compatibilityFlags,
      modules: [{ type: 'ESModule', path: options.stageScript.path, contents: readFileSync(options.stageScript.path, 'utf8') }],
      // The gateway's variables and its KV namespace (the flag the admin API set), its controller for the telemetry flush.
      bindings: { ...(workerOptions.bindings ?? {}), ...options.vars, ...options.stageScript.bindings },
      kvNamespaces: workerOptions.kvNamespaces,
      analyticsEngineDatasets: workerOptions.analyticsEngineDatasets,
      durableObjects: { CONTROLLER: { className: 'MigrationController', scriptName: 'switchback', useSQLite: true } },
      unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
      unsafeInspectorProxy: options.inspectorPort !== undefined,
    });
  }
  // cf: false: no download of Cloudflare's request.cf sample (no internet here; the gateway does not read request.cf).
  const mf = new Miniflare(convertV4MiniflareOptions({ host: '127.0.0.1', port: 0, cf: false, log: new Log(LogLevel.WARN), workers, ...(options.inspectorPort !== undefined ? { inspectorPort: options.inspectorPort } : {}) } as unknown as V4MiniflareOptions));
  await mf.ready;
  const direct = async (name: string) => (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, '');
  return {
    gatewayUrl: await direct('switchback'),
    bareUrl: await direct('bare-proxy'),
    stageUrl: options.stageScript ? await direct('stages') : undefined,
    dispose: () => mf.dispose(),
  };
}
