/**
 * The sequential detector in the controller, with the default rules (the
 * plan's text, no fast test rules): scripted event streams into the real
 * Durable Object. A total outage decides on the 6th failing client, a 93%
 * degradation on the evidence it needs, a healthy 97% never; a few clients
 * cannot force it; logins stuck at the provider decide through the overdue
 * charts; slow logins, bots and prefetches do not.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { runInDurableObject } from 'cloudflare:test';
import { installNetwork } from './support/fake-network.ts';
import { gw, putFlag, resetState } from './support/gateway.ts';
import { auditTypes, ingest, setRules, sleep, status, stub } from './support/controller.ts';
import { DEFAULT_RULES_YAML } from '../../src/rollback/rules.ts';
import type { OutcomeEvent } from '../../src/rollback/outcome-events.ts';
import { ControllerStore } from '../../src/rollback/controller-store.ts';

const RULE = 'login_success_rate < 95%';
let seq = 0;

beforeEach(async () => {
  await resetState();
  await installNetwork();
  await putFlag({ enabled: true });
  await setRules(DEFAULT_RULES_YAML);
});

/** One login per entry: started `agoMs` before now, back now with its outcome (or never: 'stuck'). */
function stream(entries: { client: string; outcome: 'succeeded' | 'failed' | 'stuck'; agoMs?: number }[]): OutcomeEvent[] {
  const now = Date.now();
  return entries.flatMap(({ client, outcome, agoMs = 2000 }) => {
    const id = `seq-${++seq}`;
    const started: OutcomeEvent = { k: 'login_started', id, provider: 'olympus', client, at: now - agoMs };
    if (outcome === 'stuck') return [started];
    return [started, { k: 'login_outcome', id, provider: 'olympus', client, outcome, reason: outcome === 'failed' ? 'provider_access_denied' : undefined, at: now }];
  });
}

const crowd = (n: number, prefix: string, success = 1, rng = Math.random) =>
  Array.from({ length: n }, (_, i) => ({ client: `${prefix}${i}`, outcome: (rng() < success ? 'succeeded' : 'failed') as 'succeeded' | 'failed' }));

async function rule() {
  return (await status()).rules.find((r: { rule: string }) => r.rule === RULE);
}

/** A deterministic generator, so a failing run can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** 200 healthy logins in the window (the first evaluation reads them: h and the attack floor for 200 logins per 5 min). */
async function healthyWindow() {
  await ingest(stream(crowd(200, 'user')));
}

describe('a total outage', () => {
  it('rolls back on the 6th failing client at 200 logins per 5 min, not the 5th, on the batch that brings it', async () => {
    await healthyWindow();
    for (let i = 0; i < 5; i++) await ingest(stream([{ client: `failing${i}`, outcome: 'failed' }]));
    expect((await status()).flag.enabled).toBe(true);
    const before = await rule();
    expect(before.decided_by).toBe('detector');
    expect(before.detector.ratio).toBeGreaterThan(0.8);
    expect(before.detector.ratio).toBeLessThan(1);
    expect(before.detector.leading.p1).toBeCloseTo(0.9, 10);
    await ingest(stream([{ client: 'failing5', outcome: 'failed' }]));
    const st = await status();
    expect(st.flag.enabled).toBe(false);
    const audit = (await stub().audit(10)) as unknown as { type: string; data: Record<string, any> }[];
    const rollback = audit.find((e) => e.type === 'rollback')!;
    expect(rollback.data).toMatchObject({ rule: RULE, evidence: { detector: 'outcome' } });
    expect(rollback.data.evidence.ratio).toBeGreaterThanOrEqual(1);
  });
});

describe('the error budget', () => {
  it('a slow degradation to 93% rolls back on evidence (not within 1,000 logins), a healthy 97% does not in 20,000', async () => {
    await healthyWindow();
    const bad = rng(93);
    let n = 0;
    while ((await status()).flag.enabled && n < 20_000) {
      await ingest(stream(crowd(500, `d${n}-`, 0.93, bad)));
      n += 500;
      if (n === 1000) expect((await status()).flag.enabled).toBe(true);
    }
    expect(n).toBeGreaterThan(1000);
    expect((await status()).flag.enabled).toBe(false);

    await resetState();
    await putFlag({ enabled: true });
    await setRules(DEFAULT_RULES_YAML);
    await healthyWindow();
    const good = rng(97);
    for (let m = 0; m < 20_000; m += 500) await ingest(stream(crowd(500, `h${m}-`, 0.97, good)));
    const r = await rule();
    expect((await status()).flag.enabled).toBe(true);
    expect(r.detector.ratio).toBeLessThan(0.7);
  }, 120_000);
});

describe('a few clients', () => {
  it('five clients failing as fast as they can weigh one bad observation each: no rollback', async () => {
    await healthyWindow();
    for (let round = 0; round < 3; round++) {
      await ingest(stream(Array.from({ length: 250 }, (_, i) => ({ client: `attacker${i % 5}`, outcome: 'failed' as const }))));
    }
    const r = await rule();
    expect((await status()).flag.enabled).toBe(true);
    expect(r.detector.attack_floor).toBe(6);
    expect(r.detector.ratio).toBeLessThan(1);
  });
});

describe('logins stuck at the provider', () => {
  it('known clients whose logins are not back by the horizon roll back through the overdue charts', async () => {
    await healthyWindow(); // 200 clients complete a login: known from now on
    expect((await rule()).detector.horizon_seconds).toBe(40);
    await ingest(stream(Array.from({ length: 10 }, (_, i) => ({ client: `user${i}`, outcome: 'stuck' as const, agoMs: 39_000 }))));
    await sleep(1100);
    await ingest([]); // the next batch sweeps them: 41 s old, past the 40 s horizon
    expect((await status()).flag.enabled).toBe(true);
    expect((await rule()).detector.leading.family).toBe('overdue');
    await ingest(stream(Array.from({ length: 10 }, (_, i) => ({ client: `user${10 + i}`, outcome: 'stuck' as const, agoMs: 39_000 }))));
    await sleep(1100);
    await ingest([]);
    expect((await status()).flag.enabled).toBe(false);
  });

  it('logins that come back slowly but within the horizon are no evidence', async () => {
    await healthyWindow();
    for (let b = 0; b < 4; b++) await ingest(stream(Array.from({ length: 50 }, (_, i) => ({ client: `user${b * 50 + i}`, outcome: 'succeeded' as const, agoMs: 35_000 }))));
    await sleep(1100);
    await ingest([]);
    const r = await rule();
    expect((await status()).flag.enabled).toBe(true);
    expect(r.detector.ratio).toBe(0);
  });
});

describe('bots and prefetches', () => {
  it('starts from clients that never completed a login are never pending, abandoned or overdue', async () => {
    await healthyWindow();
    await ingest(stream(Array.from({ length: 300 }, (_, i) => ({ client: `bot${i}`, outcome: 'stuck' as const, agoMs: 59_000 }))));
    await sleep(1100);
    await ingest([]);
    const st = await status();
    expect(st.pending_logins).toBe(0);
    expect(st.last_5_minutes.logins.olympus.started).toBe(500);
    expect(st.flag.enabled).toBe(true);
    expect((await rule()).detector.ratio).toBe(0);
    await runInDurableObject(stub(), (_i, state) => {
      expect(state.storage.sql.exec('SELECT COUNT(*) AS c FROM abandoned_logins').one().c).toBe(0);
      expect(new ControllerStore(state.storage.sql).get('detectors')).toBeDefined();
    });
  });

  it('a prefetched /login is answered but starts no counted login', async () => {
    expect((await gw('/login', { headers: { 'sec-purpose': 'prefetch' } })).status).toBe(302);
    expect((await gw('/login', { headers: { purpose: 'prefetch' } })).status).toBe(302);
    await gw('/login');
    await sleep(400);
    expect((await status()).last_5_minutes.logins.olympus.started).toBe(1);
  });
});

describe('the API error rate', () => {
  const API_RULE = 'api_error_rate > 5%';
  const api = (client: string, error: boolean, n: number): OutcomeEvent => ({ k: 'api', provider: 'olympus', client, error, n, at: Date.now() });

  it('two clients flooding errors weigh their cap each and do not roll back; errors across many clients do', async () => {
    await ingest(Array.from({ length: 50 }, (_, i) => api(`app${i}`, false, 100))); // 1,000 samples after caps
    await ingest([api('flood1', true, 5000), api('flood2', true, 5000)]);
    const r = (await status()).rules.find((x: { rule: string }) => x.rule === API_RULE);
    expect((await status()).flag.enabled).toBe(true);
    expect(r.detector.attack_floor).toBe(60); // three clients' worth of errors at the cap of 20
    expect(r.detector.ratio).toBeLessThan(1);
    await ingest(Array.from({ length: 10 }, (_, i) => api(`broken${i}`, true, 50)));
    expect((await status()).flag.enabled).toBe(false);
  });
});

describe('exactly once', () => {
  it('concurrent batches that each complete the evidence flip once', async () => {
    await healthyWindow();
    await Promise.all(Array.from({ length: 8 }, (_, b) => ingest(stream(Array.from({ length: 10 }, (_, i) => ({ client: `f${b}-${i}`, outcome: 'failed' as const }))))));
    expect((await auditTypes()).filter((t) => t === 'rollback')).toHaveLength(1);
    expect((await status()).flag.version).toBe(2);
  });
});
