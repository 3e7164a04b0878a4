/**
 * The front door: GET /_switchback is a page saying what this is and where
 * to look next (health, the token-protected status, docs) instead of a 404,
 * never cached, and with no configuration value or secret on it.
 */
import { describe, expect } from 'vitest';
import { env } from 'cloudflare:workers';
import { gatewayTest } from './support/fixtures.ts';
import { gw } from './support/gateway.ts';

const it = gatewayTest({ enabled: true });

describe('GET /_switchback', () => {
  it.each(['/_switchback', '/_switchback/'])('%s is an HTML page with links to the health check, the status and the docs', async (path) => {
    const res = await gw(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<h1>switchback</h1>');
    expect(html).toContain('href="/_switchback/health"');
    expect(html).toContain('href="/_switchback/console"');
    expect(html).toMatch(/_switchback\/api\/status<\/code> needs an admin token/);
    expect(html).toContain('docs/configuration.md');
    // The health link it advertises answers without a token.
    expect((await gw('/_switchback/health')).status).toBe(200);
  });

  it('shows no configuration value: no issuer, origin, client id, secret or token from the environment', async ({ net }) => {
    const html = await (await gw('/_switchback')).text();
    const values = Object.values(env as unknown as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v.length >= 8);
    expect(values.length).toBeGreaterThan(5);
    for (const value of values) expect(html).not.toContain(value);
    // Served by the gateway itself: the app behind it is not asked.
    expect(net.originRequests).toEqual([]);
  });
});
