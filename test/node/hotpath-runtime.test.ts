/**
 * The hot-path harness (bench/hotpath/runtime.ts, issue 14) runs the
 * production split as deployed: the gateway Worker and the controller Worker
 * in two workerd processes, so the CPU it reports for the gateway's process is
 * the gateway's alone. That is only a faithful measurement if the two halves
 * still work together as they do on Cloudflare: the admin API's Durable Object
 * call crosses to the controller's process, the flag the controller writes is
 * the one the gateway reads from KV, and every service binding of the gateway
 * reaches the controller Worker.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startStack, type Stack } from '../../dev/stack.ts';
import { BUILDS, buildWorker } from '../../bench/hotpath/bundle-size.ts';
import { startRuntime, type Runtime } from '../../bench/hotpath/runtime.ts';
import { workerdPids } from '../../bench/hotpath/workerd-cpu.ts';
import { FLAG_KEY, parseFlagRecord } from '../../src/flag/flag-record.ts';

describe('the hot-path harness, split layout', () => {
  let stack: Stack | undefined;
  let runtime: Runtime | undefined;

  beforeAll(async () => {
    // Builds of its own: proxy-bundle.test.ts may be writing BUILDS' directories in parallel.
    const gateway = { ...BUILDS.proxy, outdir: join(REPO_ROOT, '.wrangler', 'test-hotpath-proxy') };
    const controller = { ...BUILDS.controller, outdir: join(REPO_ROOT, '.wrangler', 'test-hotpath-controller') };
    buildWorker(gateway);
    buildWorker(controller);
    stack = await startStack({ startGateway: false });
    runtime = await startRuntime({
      layout: 'split',
      builtDirs: { gateway: gateway.outdir, controller: controller.outdir },
      vars: stack.vars,
      gatewayPort: Number(new URL(stack.gatewayUrl).port),
      originUrl: stack.originUrl,
    });
  }, 120_000);

  afterAll(async () => {
    await runtime?.dispose();
    await stack?.stop();
  });

  it('runs the gateway and the controller in two workerd processes that work together as deployed', async () => {
    const rt = runtime!;
    expect(rt.controllerPid).toBeDefined();
    expect(rt.controllerPid).not.toBe(rt.gatewayPid);
    expect(workerdPids()).toEqual(expect.arrayContaining([rt.gatewayPid, rt.controllerPid]));

    // The admin API (forwarded by the gateway's CONTROL_PLANE to the other process) -> the controller Durable Object -> KV.
    const flip = await stack!.setFlag(FLAG_KEY, true);
    expect(flip.status, await flip.clone().text()).toBe(200);
    const env = await rt.gatewayBindings();
    const kv = env.SWITCHBACK_KV as { get(key: string, type: 'text'): Promise<string | null> };
    expect(parseFlagRecord((await kv.get(FLAG_KEY, 'text')) ?? '')).toMatchObject({ enabled: true });

    // Every service binding of the gateway (the controller's admin and hook forwarding) reaches a running Worker,
    // not the dev registry's "not found" answer.
    expect(rt.serviceBindings).toContain('CONTROL_PLANE');
    for (const name of rt.serviceBindings) {
      const res = await (env[name] as { fetch(url: string): Promise<Response> }).fetch('http://switchback.internal/');
      const body = await res.text();
      expect(body, `${name} answered ${res.status}`).not.toMatch(/not found\. Make sure it is running locally/);
    }

    const health = await fetch(`${rt.gatewayUrl}/_switchback/health`);
    expect(health.status).toBe(200);
    await health.arrayBuffer();

    // The baseline and its twin (the A/A control) both forward to the origin, byte for byte the same answer.
    const [bare, twin] = await Promise.all([rt.bareUrl, rt.twinUrl].map((u) => fetch(`${u}/api/health`)));
    expect(rt.twinUrl).not.toBe(rt.bareUrl);
    expect(bare!.status).toBe(200);
    expect(twin!.status).toBe(200);
    expect(await twin!.text()).toBe(await bare!.text());

    // The identity floor forwards with the identity headers a verified request carries, and answers privately.
    const floor = await fetch(`${rt.floorUrl}/api/echo-headers`, { headers: { authorization: 'Bearer x' } });
    expect(floor.status).toBe(200);
    expect(floor.headers.get('cache-control')).toBe('private');
    const echoed = ((await floor.json()) as { headers: Record<string, string> }).headers;
    expect(echoed).toMatchObject({ 'x-auth-sub': 'auth0|alice', 'x-auth-provider': 'auth0', authorization: 'Bearer x' });
    expect(echoed['x-auth-assertion']!.length).toBeGreaterThan(500);
  }, 60_000);
});
