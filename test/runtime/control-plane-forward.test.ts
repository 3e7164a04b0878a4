/**
 * The production split of the control plane (issue 14): the gateway Worker
 * (src/proxy-worker.ts) forwards every path the control plane serves (admin
 * API, console, password migration hook) through its CONTROL_PLANE service
 * binding, as it came, and nothing else; without the binding, or when the
 * call fails, those paths answer 503 and never reach the origin. The
 * controller Worker (src/controller-worker.ts) answers them as the combined
 * Worker does.
 *
 * The service binding here is a Fetcher that records what it is given (the
 * two real Workers together are test/e2e/split-workers.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import gateway from '../../src/proxy-worker.ts';
import controllerWorker from '../../src/controller-worker.ts';
import combined from '../../src/worker.ts';
import { controlPlaneRoutes } from '../../src/control-plane.ts';
import { readFlag, resetFlagStore } from '../../src/flag/kv-flag.ts';
import { FLAG_KEY } from '../../src/flag/flag-record.ts';
import { installNetwork } from './support/fake-network.ts';

const base = env as unknown as Record<string, unknown>;

// The providers and the origin of the gateway's own paths answer from the fake network, not DNS.
beforeEach(async () => {
  await installNetwork();
});
afterEach(() => vi.restoreAllMocks());

function recordingBinding() {
  const seen: Request[] = [];
  const binding = {
    async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      const req = new Request(input, init);
      seen.push(req);
      return new Response('from the controller Worker', { status: 299, headers: { 'x-answered-by': 'control-plane' } });
    },
  };
  return { seen, binding };
}

/** A concrete path for a Hono route pattern: each parameter and wildcard filled in. */
const concrete = (pattern: string) => pattern.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, 'x').replace(/\*/g, 'some/page');

const gatewayFetch = (req: Request, extra: Record<string, unknown>) => gateway.fetch(req, { ...base, ...extra }, createExecutionContext());

describe('the production gateway and the control plane', () => {
  it('forwards every route the control plane serves, method, URL, headers and body as they came', async () => {
    const routes = controlPlaneRoutes.routes.filter((r) => r.path !== '/*');
    expect(routes.length).toBeGreaterThan(30);
    for (const route of routes) {
      const { seen, binding } = recordingBinding();
      const method = route.method === 'ALL' ? 'POST' : route.method;
      const url = `https://gateway.test${concrete(route.path)}?q=1`;
      const hasBody = method !== 'GET' && method !== 'HEAD';
      const res = await gatewayFetch(
        new Request(url, { method, headers: { authorization: 'Bearer t', 'cf-connecting-ip': '203.0.113.7', 'content-type': 'application/json' }, body: hasBody ? '{"why":"drill"}' : undefined }),
        { CONTROL_PLANE: binding },
      );
      expect(res.status, `${method} ${route.path}`).toBe(299);
      expect(res.headers.get('x-answered-by')).toBe('control-plane');
      expect(seen).toHaveLength(1);
      const [req] = seen;
      expect(req!.method).toBe(method);
      expect(req!.url).toBe(url);
      expect(req!.headers.get('authorization')).toBe('Bearer t');
      expect(req!.headers.get('cf-connecting-ip')).toBe('203.0.113.7');
      if (hasBody) expect(await req!.text()).toBe('{"why":"drill"}');
    }
  });

  it("never forwards the gateway's own paths", async () => {
    const { seen, binding } = recordingBinding();
    for (const path of ['/_switchback/health', '/_switchback', '/login', '/callback?code=x&state=y', '/logout', '/_switchback/hooks/support-ticket', '/_switchback/apis', '/_switchback/consoles']) {
      const res = await gatewayFetch(new Request(`https://gateway.test${path}`), { CONTROL_PLANE: binding });
      expect(res.status, path).not.toBe(299);
    }
    expect(seen).toEqual([]);
  });

  it('without the binding, the control plane paths answer 503 naming it, and never reach the origin', async () => {
    for (const path of ['/_switchback/api/status', '/_switchback/console', '/_switchback/console/sign-in', '/_switchback/hooks/password-migration']) {
      const res = await gatewayFetch(new Request(`https://gateway.test${path}`, { method: path.includes('hooks') ? 'POST' : 'GET' }), { CONTROL_PLANE: undefined });
      expect(res.status, path).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'misconfigured', variable: 'CONTROL_PLANE' });
    }
  });

  it("an admin change that succeeds through the forward clears the gateway isolate's flag copy (as the combined Worker's admin routes do); a refused one or a read does not", async () => {
    const store = base.SWITCHBACK_KV as KVNamespace;
    const record = (enabled: boolean, version: number) => JSON.stringify({ enabled, version, updated_at: new Date().toISOString(), updated_by: 'test', reason: 'test' });
    resetFlagStore();
    await store.put(FLAG_KEY, record(false, 1));
    expect((await readFlag(store, 60_000)).flag.enabled).toBe(false);
    await store.put(FLAG_KEY, record(true, 2)); // as the controller writes it in the other Worker
    expect((await readFlag(store, 60_000)).flag.enabled).toBe(false); // the isolate's copy, for up to the TTL
    const answering = (status: number) => ({ fetch: async () => new Response('{}', { status }) });
    await gatewayFetch(new Request('https://gateway.test/_switchback/api/rollback', { method: 'POST', body: '{}' }), { CONTROL_PLANE: answering(403) });
    expect((await readFlag(store, 60_000)).flag.enabled).toBe(false);
    await gatewayFetch(new Request('https://gateway.test/_switchback/api/status'), { CONTROL_PLANE: answering(200) });
    expect((await readFlag(store, 60_000)).flag.enabled).toBe(false);
    await gatewayFetch(new Request('https://gateway.test/_switchback/api/flags/olympus_auth', { method: 'POST', body: '{}' }), { CONTROL_PLANE: answering(200) });
    expect((await readFlag(store, 60_000)).flag.enabled).toBe(true);
    resetFlagStore();
  });

  it('a failed call to the controller Worker is a 503, not a 500 and not the origin', async () => {
    const failing = { fetch: async () => { throw new Error('Worker threw exception: secret-ish detail'); } };
    const res = await gatewayFetch(new Request('https://gateway.test/_switchback/api/status'), { CONTROL_PLANE: failing });
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ error: 'temporarily_unavailable' });
    expect(body).not.toContain('secret-ish');
  });

  it('the controller Worker answers the control plane as the combined Worker does, and nothing else', async () => {
    const requests: [string, RequestInit?][] = [
      ['/_switchback/api/status'],
      ['/_switchback/api/no-such-endpoint'],
      ['/_switchback/api/rules', { method: 'PUT', body: 'rules: []', headers: { authorization: 'Bearer wrong' } }],
      ['/_switchback/console'],
      ['/_switchback/console/sign-in'],
      ['/_switchback/console/no-such-page'],
      ['/_switchback/hooks/password-migration', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }],
      ['/_switchback/hooks/password-migration'],
      ['/_switchback/hooks/password-migration', { method: 'OPTIONS' }],
    ];
    for (const [path, init] of requests) {
      const fromController = await controllerWorker.fetch(new Request(`https://gateway.test${path}`, init), base, createExecutionContext());
      const fromCombined = await combined.fetch(new Request(`https://gateway.test${path}`, init), base, createExecutionContext());
      expect(fromController.status, path).toBe(fromCombined.status);
      expect(fromController.headers.get('location'), path).toBe(fromCombined.headers.get('location'));
      expect(await fromController.text(), path).toBe(await fromCombined.text());
    }
    // A console page it does not have, or another method on the hook, is switchback's 404 in both, not the origin's.
    expect((await combined.fetch(new Request('https://gateway.test/_switchback/console/no-such-page'), base, createExecutionContext())).status).toBe(404);
    expect((await combined.fetch(new Request('https://gateway.test/_switchback/hooks/password-migration'), base, createExecutionContext())).status).toBe(404);
    const elsewhere = await controllerWorker.fetch(new Request('https://gateway.test/api/orders'), base, createExecutionContext());
    expect(elsewhere.status).toBe(404);
  });
});
