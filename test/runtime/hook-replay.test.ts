/**
 * Hook deliveries count once: a signed support ticket, an Auth0 log stream
 * batch or a Kratos after-login call replayed (by an attacker who captured
 * it, or by a sender retrying) is counted by the controller's delivery
 * ledger once; signed timestamps bound how late a capture can be replayed;
 * bodies are read with a hard limit from the stream, chunked or not.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { installNetwork } from './support/fake-network.ts';
import { gw, putFlag, resetState } from './support/gateway.ts';
import { sleep, status } from './support/controller.ts';
import { ADMIN } from './support/constants.ts';
import { hmacSha256Hex } from '../../src/admin/hook-auth.ts';
import { runInDurableObject } from 'cloudflare:test';
import { controller } from '../../src/rollback/controller-client.ts';
import { testEnv } from './support/gateway.ts';
import { DeliveryLedger, dedupeWindowMs, deliveryWindowMs, longestDeliveryWindowMs } from '../../src/rollback/delivery-ledger.ts';
import { kratosLoginDeliveryKey, ticketDeliveryKey } from '../../src/telemetry/delivery-key.ts';

const SECRET = 'support-hook-secret-for-tests';
const enc = (s: string) => new TextEncoder().encode(s);

beforeEach(async () => {
  await resetState();
  await installNetwork();
  await putFlag({ enabled: true });
});

async function metric(name: string): Promise<number> {
  await sleep(400); // the outcome recorder flushes 200 ms after the first event
  const text = await (await gw('/_switchback/api/metrics', { headers: { authorization: `Bearer ${ADMIN.viewer}` } })).text();
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}
const tickets = () => metric('switchback_support_tickets_total');

async function postTicket(body: string, opts: { timestamp?: number; signWith?: string } = {}) {
  const ts = opts.timestamp === undefined ? undefined : String(opts.timestamp);
  const signature = await hmacSha256Hex(SECRET, enc(opts.signWith ?? (ts === undefined ? body : `${ts}.${body}`)));
  return gw('/_switchback/hooks/support-ticket', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-signature': signature, ...(ts === undefined ? {} : { 'x-signature-timestamp': ts }) },
  });
}

describe('support-ticket hook', () => {
  it('90 replays of one signed ticket, from 90 addresses, count 1', async () => {
    const body = JSON.stringify({ id: 'T-4711', subject: 'cannot log in' });
    for (let i = 0; i < 90; i++) expect((await postTicket(body)).status).toBe(202);
    expect(await tickets()).toBe(1);
    expect((await status()).hook_deliveries_duplicate_total).toBe(89);
  });

  it('two different tickets count 2; the same ticket id with another body is still one ticket', async () => {
    await postTicket(JSON.stringify({ ticket: { id: 1001, subject: 'a' } }));
    await postTicket(JSON.stringify({ ticket: { id: 1002, subject: 'b' } }));
    await postTicket(JSON.stringify({ ticket: { id: 1001, subject: 'a', status: 'updated' } }));
    expect(await tickets()).toBe(2);
  });

  it('a body without an id is deduplicated by its digest', async () => {
    const body = '{"subject":"the login page says error"}';
    for (let i = 0; i < 5; i++) await postTicket(body);
    expect(await tickets()).toBe(1);
    await postTicket('{"subject":"the login page says error "}');
    expect(await tickets()).toBe(2);
  });

  it('a signed timestamp outside 5 minutes is refused (401); inside, the ticket counts once', async () => {
    const now = Math.floor(Date.now() / 1000);
    const late = await postTicket('{"id":"T-old"}', { timestamp: now - 301 });
    expect(late.status).toBe(401);
    expect(((await late.json()) as { error_description: string }).error_description).toMatch(/X-Signature-Timestamp is more than 300 seconds/);
    expect((await postTicket('{"id":"T-future"}', { timestamp: now + 400 })).status).toBe(401);
    // The timestamp is part of the signed string: a signature over the body alone does not do.
    expect((await postTicket('{"id":"T-new"}', { timestamp: now, signWith: '{"id":"T-new"}' })).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await postTicket('{"id":"T-new"}', { timestamp: now - 60 })).status).toBe(202);
    expect(await tickets()).toBe(1);
  });

  it('a chunked body over the limit without Content-Length is cut off at the limit: 413, nothing counted', async () => {
    const CHUNK = 16 * 1024;
    const TOTAL = 8 * 1024 * 1024;
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (pulled >= TOTAL) return ctrl.close();
        pulled += CHUNK;
        ctrl.enqueue(new Uint8Array(CHUNK).fill(0x20));
      },
    });
    const req = new Request('https://gateway.test/_switchback/hooks/support-ticket', { method: 'POST', body: stream, headers: { 'x-signature': '0'.repeat(64) } });
    expect(req.headers.has('content-length')).toBe(false);
    const res = await gw('/_switchback/hooks/support-ticket', { method: 'POST', body: req.body, headers: { 'x-signature': '0'.repeat(64) }, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    await sleep(100);
    // The gateway stopped reading at 256 KB (plus what was in flight): the sender was not drained.
    expect(pulled).toBeLessThan(2 * 1024 * 1024);
    expect(await tickets()).toBe(0);
  });
});

describe('provider hooks', () => {
  const auth0 = (logs: unknown) => gw('/_switchback/hooks/auth0-log-stream', { method: 'POST', body: JSON.stringify(logs), headers: { authorization: 'Bearer auth0-log-stream-token-for-tests' } });
  const kratos = (body: unknown) => gw('/_switchback/hooks/kratos-after-login', { method: 'POST', body: JSON.stringify(body), headers: { authorization: 'kratos-hook-token-for-tests' } });

  it('an Auth0 log stream batch replayed counts each log_id once', async () => {
    const batch = [
      { log_id: '9001', data: { type: 'f' } },
      { log_id: '9002', data: { type: 'fp' } },
      { log_id: '9003', data: { type: 's' } },
    ];
    for (let i = 0; i < 10; i++) expect((await auth0(batch)).status).toBe(202);
    expect(await metric('switchback_provider_login_events_total{provider="auth0",outcome="failed"}')).toBe(2);
    expect(await metric('switchback_provider_login_events_total{provider="auth0",outcome="succeeded"}')).toBe(1);
    // A later batch overlapping the first (Auth0 resends after a timeout) adds only the new entry.
    await auth0([{ log_id: '9002', data: { type: 'fp' } }, { log_id: '9004', data: { type: 'fu' } }]);
    expect(await metric('switchback_provider_login_events_total{provider="auth0",outcome="failed"}')).toBe(3);
  });

  it('a Kratos after-login hook counts once per identity in the window', async () => {
    const alice = { identity: { id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', traits: { email: 'alice@example.com' } } };
    for (let i = 0; i < 20; i++) expect((await kratos(alice)).status).toBe(202);
    await kratos({ identity: { id: 'b0e8d9a2-1b65-4c5e-9a8f-2f7a3c4d5e6f', traits: { email: 'bob@example.com' } } });
    expect(await metric('switchback_provider_login_events_total{provider="olympus",outcome="succeeded"}')).toBe(2);
  });
});

describe('how long a delivery is remembered (explicit clock)', () => {
  const RULES = [{ windowSeconds: 300 }, { windowSeconds: 900 }];
  const MIN = 60_000;

  it('a ticket is remembered for a day: a capture replayed every window still counts once', async () => {
    await runInDurableObject(controller(testEnv()), async (_i, state) => {
      const ledger = new DeliveryLedger(state.storage.sql);
      const key = await ticketDeliveryKey(enc('{"id":"T-1","subject":"cannot sign in"}'));
      const t0 = 1_800_000_000_000;
      expect(ledger.firstDelivery(key, t0, deliveryWindowMs(key, RULES))).toBe(true);
      // Every 16 minutes for 23 hours: past the 15-minute ticket window each time, never counted again.
      for (let t = t0 + 16 * MIN; t < t0 + 23 * 60 * MIN; t += 16 * MIN) {
        ledger.prune(t, dedupeWindowMs(RULES), longestDeliveryWindowMs(RULES));
        expect(ledger.firstDelivery(key, t, deliveryWindowMs(key, RULES))).toBe(false);
      }
      // A day after it was first seen, it is a new delivery.
      expect(ledger.firstDelivery(key, t0 + 24 * 60 * MIN + 1, deliveryWindowMs(key, RULES))).toBe(true);
    });
  });

  it('a Kratos login is remembered for the rule window only: the same identity signing in later counts again', async () => {
    await runInDurableObject(controller(testEnv()), async (_i, state) => {
      const ledger = new DeliveryLedger(state.storage.sql);
      const key = await kratosLoginDeliveryKey(enc('{"identity":{"id":"8f1c"}}'));
      const t0 = 1_800_000_000_000;
      expect(ledger.firstDelivery(key, t0, deliveryWindowMs(key, RULES))).toBe(true);
      expect(ledger.firstDelivery(key, t0 + 10 * MIN, deliveryWindowMs(key, RULES))).toBe(false);
      ledger.prune(t0 + 16 * MIN, dedupeWindowMs(RULES), longestDeliveryWindowMs(RULES));
      expect(ledger.firstDelivery(key, t0 + 16 * MIN, deliveryWindowMs(key, RULES))).toBe(true);
    });
  });
});
