/**
 * The production pair in deploy/ stays in step with wrangler.toml (the
 * combined Worker dev and the tests run): same compatibility, vars, KV and
 * rate limiters; the gateway binds the controller by the controller Worker's
 * name (Durable Object and CONTROL_PLANE service) and declares no migrations
 * or workflow; the controller owns the class, its migrations and the workflow
 * exactly as wrangler.toml declares them, and the bindings its control plane
 * routes use.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';

const combined = unstable_readConfig({ config: 'wrangler.toml' });
const proxy = unstable_readConfig({ config: 'deploy/wrangler.proxy.toml' });
const controller = unstable_readConfig({ config: 'deploy/wrangler.controller.toml' });

describe('deploy/ configs', () => {
  it('share compatibility, vars and KV with wrangler.toml', () => {
    for (const c of [proxy, controller]) {
      expect(c.compatibility_date).toBe(combined.compatibility_date);
      expect(c.compatibility_flags).toEqual(combined.compatibility_flags);
      expect(c.vars).toEqual(combined.vars);
      expect(c.kv_namespaces).toEqual(combined.kv_namespaces);
    }
  });

  it('the gateway has the request path bindings and reaches the controller by script_name', () => {
    expect(proxy.main).toMatch(/src\/proxy-worker\.ts$/);
    expect(proxy.ratelimits).toEqual(combined.ratelimits.filter((r: { name: string }) => !r.name.startsWith('PASSWORD_HOOK_')));
    expect(proxy.analytics_engine_datasets).toEqual(combined.analytics_engine_datasets);
    // The control plane (admin API, console, password hook) is the controller Worker's, reached by this binding.
    expect(proxy.services).toEqual([{ binding: 'CONTROL_PLANE', service: controller.name }]);
    expect(combined.services ?? []).toEqual([]);
    expect(resolve('deploy', proxy.assets?.directory ?? '')).toBe(resolve(combined.assets?.directory ?? ''));
    expect(proxy.durable_objects.bindings).toEqual(combined.durable_objects.bindings.map((b: { name: string; class_name: string }) => ({ ...b, script_name: controller.name })));
    expect(proxy.migrations).toEqual([]);
    expect(proxy.workflows).toEqual([]);
  });

  it('the controller owns the Durable Object, its migrations and the workflow', () => {
    expect(controller.main).toMatch(/src\/controller-worker\.ts$/);
    expect(controller.name).not.toBe(proxy.name);
    expect(controller.durable_objects.bindings).toEqual(combined.durable_objects.bindings);
    expect(controller.migrations).toEqual(combined.migrations);
    expect(controller.workflows).toEqual(combined.workflows);
    expect(controller.workers_dev).toBe(false);
    expect(controller.preview_urls).toBe(false);
    expect(controller.routes ?? []).toEqual([]);
  });

  it('the controller has the bindings of the control plane it serves: the console sign-in and password hook limiters, analytics', () => {
    const byName = (name: string) => combined.ratelimits.find((r: { name: string }) => r.name === name);
    expect(controller.ratelimits).toEqual(['LOGIN_RATE_LIMITER', 'PASSWORD_HOOK_IDENTIFIER_LIMITER', 'PASSWORD_HOOK_CLIENT_LIMITER'].map(byName));
    expect(controller.analytics_engine_datasets).toEqual(combined.analytics_engine_datasets);
    // Every limiter of the combined Worker is in one of the two, with the same namespace and limits.
    const names = new Set([...proxy.ratelimits, ...controller.ratelimits].map((r: { name: string }) => r.name));
    expect([...names].sort()).toEqual(combined.ratelimits.map((r: { name: string }) => r.name).sort());
  });
});
