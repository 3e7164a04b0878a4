/**
 * The production split (issue 14) runs: the gateway Worker of
 * deploy/wrangler.proxy.toml and the controller Worker of
 * deploy/wrangler.controller.toml, started together as one multi-Worker
 * `wrangler dev`, answer health, and the admin API reaches the controller
 * Durable Object in the other Worker through the `script_name` binding: a
 * flag write lands there and the status read back shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { controllerStatus } from './support/controller-api.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ wranglerConfig: ['deploy/wrangler.proxy.toml', 'deploy/wrangler.controller.toml'] });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('the two production Workers', () => {
  it('serve health from the gateway and the admin API from the controller Worker', async () => {
    const health = await fetch(`${stack.gatewayUrl}/_switchback/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, service: 'switchback' });

    const before = await controllerStatus(stack);
    expect(before.flag.enabled).toBe(false);
    expect(before.active_provider).toBe('auth0');

    const flip = await stack.setFlag('olympus_auth', true);
    expect(flip.status, stack.gatewayOutput()).toBe(200);
    const after = await controllerStatus(stack);
    expect(after.flag.enabled).toBe(true);
    expect(after.active_provider).toBe('olympus');
  });
});
