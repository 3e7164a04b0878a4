/**
 * The production gateway Worker (deploy/wrangler.proxy.toml) carries the
 * request path only: none of the controller Durable Object's or the reconcile
 * Workflow's stateful modules are in what wrangler would upload (issue 14:
 * they run in the controller Worker). The combined build (wrangler.toml) is
 * the control: there the same check sees every one of them.
 */
import { describe, expect, it } from 'vitest';
import { BUILDS, CONTROLLER_ONLY_MODULES, buildWorker, controllerModulesIn, measureBundle } from '../../bench/hotpath/bundle-size.ts';

describe('the gateway Worker bundle', () => {
  it('has no controller or workflow module; the combined build has them all', () => {
    const proxy = measureBundle(buildWorker(BUILDS.proxy), BUILDS.proxy);
    expect(proxy.inputs).toContain('src/routes/admin-controller.ts');
    expect(controllerModulesIn(proxy)).toEqual([]);

    const combined = measureBundle(buildWorker(BUILDS.combined), BUILDS.combined);
    expect(controllerModulesIn(combined)).toEqual([...CONTROLLER_ONLY_MODULES]);
  }, 120_000);
});
