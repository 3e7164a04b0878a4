// Builds the worker exactly as a deploy would (`wrangler deploy --dry-run`)
// and reports what would be uploaded: wrangler's own "Total Upload" line and
// each module's gzip size, against the 80 KB gzip target. Production deploys
// two Workers (deploy/, issue 14): the target applies to the gateway Worker,
// the one every request runs, and the hot-path harness runs it beside the
// controller Worker; the combined build (wrangler.toml, dev and tests) is
// printed beside them.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../../dev/stack.ts';

export const BUILT_DIR = join(REPO_ROOT, '.wrangler', 'dry-run');
export const BUNDLE_TARGET_GZIP_KB = 80;

export interface WorkerBuild {
  label: string;
  /** wrangler config relative to the repo root; undefined = wrangler.toml. */
  config: string | undefined;
  outdir: string;
}

export const BUILDS = {
  combined: { label: 'combined Worker (wrangler.toml: dev, tests; this harness with HOTPATH_LAYOUT=combined)', config: undefined, outdir: BUILT_DIR },
  proxy: { label: 'gateway Worker (deploy/wrangler.proxy.toml, production)', config: 'deploy/wrangler.proxy.toml', outdir: join(REPO_ROOT, '.wrangler', 'dry-run-proxy') },
  controller: { label: 'controller Worker (deploy/wrangler.controller.toml, production)', config: 'deploy/wrangler.controller.toml', outdir: join(REPO_ROOT, '.wrangler', 'dry-run-controller') },
} as const satisfies Record<string, WorkerBuild>;

/**
 * The controller's and the reconcile job's stateful modules: none may be in the
 * gateway Worker's bundle (pure shared pieces such as the rules' parser may).
 * The metafile lists every module esbuild parsed, so a module reached only
 * through migration-controller.ts is absent when that file is.
 */
export const CONTROLLER_ONLY_MODULES = [
  'src/rollback/migration-controller.ts',
  'src/reconcile/reconcile-workflow.ts',
  'src/rollback/rule-book.ts',
  'src/rollback/rule-loop.ts',
  'src/rollback/streak-step.ts',
  'src/rollback/ingest.ts',
  'src/rollback/login-ledger.ts',
  'src/rollback/flag-authority.ts',
  'src/rollback/outbox.ts',
  'src/rollback/signup-ledger.ts',
  'src/rollback/status-view.ts',
] as const;

/**
 * The control plane's routes and what only they use (src/control-plane.ts):
 * served by the controller Worker, forwarded by the gateway, so none may be
 * in the gateway Worker's bundle.
 */
export const CONTROL_PLANE_MODULES = [
  'src/control-plane.ts',
  'src/routes/admin.ts',
  'src/routes/admin-controller.ts',
  'src/routes/admin-flags.ts',
  'src/routes/console.ts',
  'src/console/console-pages.ts',
  'src/routes/password-migration-hook.ts',
  'src/password-migration/legacy-password-checks.ts',
  'src/providers/admin/cognito-admin-client.ts',
  'src/providers/admin/clerk-backend-client.ts',
] as const;

export interface BundleSize {
  label: string;
  /** wrangler's line, e.g. "Total Upload: 810.59 KiB / gzip: 209.44 KiB". */
  wranglerLine: string;
  /** wrangler's gzip figure, KiB. */
  gzipKiB: number;
  rawKiB: number;
  modules: { file: string; rawBytes: number; gzipBytes: number }[];
  /** Every source module esbuild put in the bundle (paths relative to the repo root). */
  inputs: string[];
}

const metafileOf = (b: WorkerBuild) => `${b.outdir}.meta.json`;

export function buildWorker(b: WorkerBuild = BUILDS.combined): string {
  // Modules of an earlier build (e.g. files since moved to static assets) must not be counted.
  rmSync(b.outdir, { recursive: true, force: true });
  return execFileSync('npx', ['wrangler', 'deploy', '--dry-run', ...(b.config ? ['--config', b.config] : []), '--outdir', b.outdir, '--metafile', metafileOf(b)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function bundleInputs(b: WorkerBuild): string[] {
  try {
    const meta = JSON.parse(readFileSync(metafileOf(b), 'utf8')) as { inputs: Record<string, unknown> };
    return Object.keys(meta.inputs).map((p) => p.replace(/^(\.\.\/)*(?=src\/|node_modules\/)/, ''));
  } catch {
    return [];
  }
}

export function measureBundle(buildOutput: string, b: WorkerBuild = BUILDS.combined): BundleSize {
  const line = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(buildOutput);
  const modules = readdirSync(b.outdir)
    .filter((f) => !f.endsWith('.map') && f !== 'README.md')
    .map((file) => {
      const bytes = readFileSync(join(b.outdir, file));
      return { file, rawBytes: bytes.length, gzipBytes: gzipSync(bytes).length };
    })
    .sort((x, y) => y.gzipBytes - x.gzipBytes);
  return { label: b.label, wranglerLine: line?.[0] ?? 'Total Upload: (not printed)', rawKiB: Number(line?.[1] ?? NaN), gzipKiB: Number(line?.[2] ?? NaN), modules, inputs: bundleInputs(b) };
}

/** The controller-only modules found in a bundle (empty for the gateway Worker). */
export function controllerModulesIn(size: BundleSize): string[] {
  return CONTROLLER_ONLY_MODULES.filter((m) => size.inputs.includes(m));
}

/** Builds (unless `build` is false: the last dry-run outputs) and measures the three Workers. */
export function measureAllBundles(build: boolean): Record<keyof typeof BUILDS, BundleSize> {
  const one = (b: WorkerBuild) => measureBundle(build ? buildWorker(b) : '', b);
  return { combined: one(BUILDS.combined), proxy: one(BUILDS.proxy), controller: one(BUILDS.controller) };
}
