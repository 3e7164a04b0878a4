/**
 * The rollback controller in the Workers runtime: windows, minimum samples,
 * the single-client attack, a real outage, exactly one rollback, no flip
 * back, dry run, abandonment, notifications, write-through to KV.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runInDurableObject } from 'cloudflare:test';
import { installNetwork, type Network } from './support/fake-network.ts';
import { gw, kv, putFlag, resetState } from './support/gateway.ts';
import { alarm, auditTypes, FAST_RULES, ingest, logins, setRules, sleep, status, stub } from './support/controller.ts';
import { ControllerStore } from '../../src/rollback/controller-store.ts';
import { bucketOf } from '../../src/rollback/window-aggregation.ts';
import { FLAG_KEY, parseFlagRecord } from '../../src/flag/flag-record.ts';
import { ISSUERS } from './support/constants.ts';

let net: Network;
beforeEach(async () => {
  await resetState();
  net = await installNetwork();
  await putFlag({ enabled: true });
  await setRules(FAST_RULES);
});
afterEach(() => vi.restoreAllMocks());

/** Evaluations happen at most once per second: two spaced batches give two consecutive breaches. */
async function twoEvaluations(events: Parameters<typeof ingest>[0]) {
  await ingest(events);
  await sleep(1050);
  await ingest([]);
}

describe('windows', () => {
  it('counts land in 10 s buckets and old buckets leave the window', async () => {
    await runInDurableObject(stub(), (_i, state) => {
      const s = new ControllerStore(state.storage.sql);
      const old = bucketOf(Date.now() - 400_000);
      for (let c = 0; c < 40; c++) s.count(old, 'olympus', 'login', 'failed', `old${c}`, 3);
    });
    await ingest(logins('olympus', 'succeeded', 60, 30));
    const st = await status();
    const rule = st.rules.find((r: { rule: string }) => r.rule === 'login_success_rate < 95%');
    expect(rule.samples).toBe(60);
    expect(rule.value).toBe(1);
    expect(st.flag.enabled).toBe(true);
  });

  it('a rule without its minimum sample is inconclusive, shown as such, and never fires', async () => {
    await twoEvaluations(logins('olympus', 'failed', 30, 30));
    const st = await status();
    const rule = st.rules.find((r: { rule: string }) => r.rule === 'login_success_rate < 95%');
    expect(rule.verdict).toBe('inconclusive');
    expect(rule.note).toContain('min_samples');
    expect(st.flag.enabled).toBe(true);
    // Three failed logins out of four from a handful of people must not roll back a migration.
    await twoEvaluations(logins('olympus', 'failed', 3, 3).concat(logins('olympus', 'succeeded', 1, 1)));
    expect((await status()).flag.enabled).toBe(true);
  });

  it('with its minimum sample, a real outage across many clients rolls back', async () => {
    await twoEvaluations(logins('olympus', 'failed', 60, 40).concat(logins('olympus', 'succeeded', 40, 40, 'ok')));
    const st = await status();
    expect(st.flag.enabled).toBe(false);
    expect(st.flag.rollback_at).toBeTruthy();
    expect(st.overlap.seconds_left).toBeGreaterThan(1700);
    // Written through to KV, the read path of every isolate.
    const kvFlag = parseFlagRecord((await kv().get(FLAG_KEY))!);
    expect(kvFlag).toMatchObject({ enabled: false, updated_by: 'switchback-controller' });
  });
});

describe('the single-client attack', () => {
  it('one client scripting failed logins cannot force a rollback', async () => {
    const attack = logins('olympus', 'failed', 500, 1, 'attacker');
    const normal = logins('olympus', 'succeeded', 60, 30, 'user');
    await twoEvaluations(attack.concat(normal));
    await twoEvaluations(logins('olympus', 'failed', 500, 1, 'attacker'));
    const st = await status();
    expect(st.flag.enabled).toBe(true);
    const rule = st.rules.find((r: { rule: string }) => r.rule === 'login_success_rate < 95%');
    expect(rule.samples).toBeLessThanOrEqual(60 + 3);
  });

  it('nor can a handful of clients, below min_clients', async () => {
    await twoEvaluations(logins('olympus', 'failed', 300, 9, 'bot'));
    expect((await status()).flag.enabled).toBe(true);
  });
});

describe('exactly one rollback', () => {
  it('concurrent breaches and manual decisions produce one flip, one audit record', async () => {
    await ingest(logins('olympus', 'failed', 60, 40));
    await sleep(1050);
    const breach = logins('olympus', 'failed', 60, 40, 'x');
    await Promise.all([
      ...Array.from({ length: 8 }, () => ingest(breach)),
      stub().manualRollback('pager (oncall)', 'oncall', 'login failures'),
      stub().manualRollback('lead (eng-lead)', 'eng-lead', 'login failures'),
    ]);
    const types = await auditTypes();
    expect(types.filter((t) => t === 'rollback')).toHaveLength(1);
    const st = await status();
    expect(st.flag.enabled).toBe(false);
    expect(st.flag.version).toBe(2);
  });
});

describe('no automatic flip back', () => {
  it('a recovered success rate does not re-enable Olympus', async () => {
    await twoEvaluations(logins('olympus', 'failed', 60, 40));
    expect((await status()).flag.enabled).toBe(false);
    for (let i = 0; i < 3; i++) await twoEvaluations(logins('olympus', 'succeeded', 200, 50, `good${i}`));
    await alarm();
    const st = await status();
    expect(st.flag.enabled).toBe(false);
    expect((await auditTypes()).filter((t) => t === 'flag.changed')).toHaveLength(0);
  });
});

describe('dry run', () => {
  it('evaluates and notifies, never flips', async () => {
    await setRules(FAST_RULES.replace('evaluate_every', 'dry_run: true\nevaluate_every'));
    await twoEvaluations(logins('olympus', 'failed', 60, 40));
    expect((await status()).flag.enabled).toBe(true);
    expect(await auditTypes()).toContain('rollback.dry_run');
    await alarm();
    const n = net.notifications.find((e) => e.type === 'rollback.triggered');
    expect(n).toMatchObject({ dry_run: true, rule: 'login_success_rate < 95%', schema: 'switchback.notification.v1' });
  });
});

describe('abandoned logins', () => {
  it('a login that never comes back counts as abandoned (of a client that completed a login before)', async () => {
    // Known clients: only they can abandon (a bot that never completes a login cannot move the rate).
    await ingest(logins('olympus', 'succeeded', 5, 5, 'c'));
    const at = Date.now();
    await ingest(Array.from({ length: 5 }, (_, i) => ({ k: 'login_started' as const, id: `gone-${i}`, provider: 'olympus' as const, client: `c${i}`, at })));
    expect((await status()).pending_logins).toBe(5);
    await sleep(1100);
    await alarm();
    const st = await status();
    expect(st.pending_logins).toBe(0);
    expect(st.last_5_minutes.logins.olympus.abandoned).toBe(5);
    // One of them was only slow: its callback arrives after all, and it counts once, as succeeded.
    await ingest([{ k: 'login_outcome', id: 'gone-0', provider: 'olympus', client: 'c0', outcome: 'succeeded', at: Date.now() }]);
    const after = await status();
    expect(after.last_5_minutes.logins.olympus.abandoned).toBe(4);
    expect(after.last_5_minutes.logins.olympus.succeeded).toBe(6);
  });
});

describe('notifications', () => {
  it('a rollback sends rollback.triggered and rollback.completed with rule, value, threshold, window, samples, actor', async () => {
    await twoEvaluations(logins('olympus', 'failed', 60, 40));
    await alarm();
    const triggered = net.notifications.find((e) => e.type === 'rollback.triggered')!;
    expect(triggered).toMatchObject({ schema: 'switchback.notification.v1', rule: 'login_success_rate < 95%', value: 0, threshold: 0.95, window: 300, actor: 'switchback-controller', dry_run: false });
    expect(triggered.samples).toBeGreaterThanOrEqual(50);
    expect(typeof triggered.text).toBe('string');
    expect(net.notifications.map((e) => e.type)).toContain('rollback.completed');
    // Each delivery's result is in the audit trail beside the notice (the console's timeline).
    const delivered = ((await stub().audit(200)) as unknown as Array<{ type: string; data: { type: string; channel: string } }>).filter((e) => e.type === 'notification.delivered');
    expect(delivered.map((e) => e.data.type)).toEqual(expect.arrayContaining(['rollback.triggered', 'rollback.completed']));
    expect(delivered.every((e) => e.data.channel === 'webhook')).toBe(true);
  });

  it('a failing receiver is retried', async () => {
    net.webhookStatus = 503;
    await stub().manualRollback('pager (oncall)', 'oncall', 'test');
    await alarm();
    expect((await status()).notifications_pending).toBeGreaterThan(0);
    net.webhookStatus = 200;
    // Later events (the reconcile job's report) may join the outbox meanwhile: drain it.
    for (let i = 0; i < 20 && (await status()).notifications_pending > 0; i++) {
      await runInDurableObject(stub(), (_i, state) => state.storage.sql.exec('UPDATE outbox SET next_at = 0'));
      await alarm();
      await sleep(100);
    }
    expect((await status()).notifications_pending).toBe(0);
    expect(net.notifications.map((e) => e.type)).toEqual(expect.arrayContaining(['rollback.triggered', 'rollback.completed']));
  });
});

describe('through the gateway', () => {
  it('a flip by the controller reaches /login at once in this isolate', async () => {
    const before = await gw('/login');
    expect(new URL(before.headers.get('location')!).origin).toBe(new URL(ISSUERS.olympus).origin);
    await stub().manualRollback('pager (oncall)', 'oncall', 'test');
    await sleep(1050);
    const after = await gw('/login');
    expect(new URL(after.headers.get('location')!).origin).toBe(new URL(ISSUERS.auth0).origin);
  });

  it('counts /login starts and API calls off the hot path, and survives an unreachable controller', async () => {
    await gw('/login');
    await gw('/public/x');
    await sleep(400);
    const st = await status();
    expect(st.last_5_minutes.logins.olympus.started).toBe(1);
    expect(st.last_5_minutes.api.anonymous.ok).toBe(1);
    // Controller unreachable: requests are still served, the loss is counted later.
    const { testEnv } = await import('./support/gateway.ts');
    const spy = vi.spyOn(testEnv().CONTROLLER, 'get').mockImplementation(() => ({ ingest: () => Promise.reject(new Error('unreachable')), getFlag: () => Promise.reject(new Error('unreachable')) }) as never);
    expect((await gw('/public/y')).status).toBe(200);
    expect((await gw('/login')).status).toBe(302);
    await sleep(400);
    spy.mockRestore();
    await gw('/public/z');
    await sleep(400);
    expect((await status()).events_lost_total).toBeGreaterThanOrEqual(2);
  });
});
