/**
 * The production gateway Worker (deploy/wrangler.proxy.toml) carries the
 * request path only: none of the controller Durable Object's or the reconcile
 * Workflow's stateful modules, and none of the control plane's routes (admin
 * API, console, password hook), are in what wrangler would upload (issue 14:
 * they run in the controller Worker). The combined build (wrangler.toml) is
 * the control: there the same check sees every one of them.
 */
import { describe, expect, it } from 'vitest';
import { BUILDS, CONTROL_PLANE_MODULES, CONTROLLER_ONLY_MODULES, buildWorker, controllerModulesIn, measureBundle } from '../../bench/hotpath/bundle-size.ts';

describe('the gateway Worker bundle', () => {
  it('has no controller or workflow module; the combined build has them all', () => {
    const proxy = measureBundle(buildWorker(BUILDS.proxy), BUILDS.proxy);
    expect(proxy.inputs).toContain('src/routes/proxy.ts');
    expect(proxy.inputs).toContain('src/routes/control-plane-forward.ts');
    expect(controllerModulesIn(proxy)).toEqual([]);
    expect(CONTROL_PLANE_MODULES.filter((m) => proxy.inputs.includes(m))).toEqual([]);

    const combined = measureBundle(buildWorker(BUILDS.combined), BUILDS.combined);
    expect(controllerModulesIn(combined)).toEqual([...CONTROLLER_ONLY_MODULES]);
    expect(CONTROL_PLANE_MODULES.filter((m) => combined.inputs.includes(m))).toEqual([...CONTROL_PLANE_MODULES]);

    // The controller Worker serves the control plane and never forwards it.
    const controller = measureBundle(buildWorker(BUILDS.controller), BUILDS.controller);
    expect(CONTROL_PLANE_MODULES.filter((m) => controller.inputs.includes(m))).toEqual([...CONTROL_PLANE_MODULES]);
    expect(controller.inputs).not.toContain('src/routes/control-plane-forward.ts');
    expect(controller.inputs).not.toContain('src/routes/proxy.ts');
  }, 120_000);
});
