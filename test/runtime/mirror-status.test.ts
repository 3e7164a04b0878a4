/**
 * `switchback mirror` seen from the controller: its heartbeat (role oncall),
 * the signups it reports become mirrored, /status and /metrics show its lag,
 * backlog, last sweep and `stranded_if_rolled_back_now`, a silent mirror
 * raises one notification; and at rollback the Workflow leaves the users the
 * mirror brought back with their password alone (no email), sends the one
 * reset email of a user mirrored without a password, and none for a user
 * whose email another run claimed.
 */
import { runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ControllerStore } from '../../src/rollback/controller-store.ts';
import { ADMIN } from './support/constants.ts';
import { alarm, auditTypes, sleep, status, stub } from './support/controller.ts';
import { installNetwork, type Network } from './support/fake-network.ts';
import { gw, putFlag, resetState } from './support/gateway.ts';

let net: Network;
beforeEach(async () => {
  await resetState();
  net = await installNetwork();
  await putFlag({ enabled: true });
});
afterEach(() => vi.restoreAllMocks());

const ID = (n: number) => `eeeeeeee-0000-4000-8000-${String(n).padStart(12, '0')}`;
const hook = (id: string, email: string) =>
  gw('/_switchback/hooks/olympus-registration', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'kratos-hook-token-for-tests' },
    body: JSON.stringify({ identity: { id, schema_id: 'default', state: 'active', created_at: new Date(Date.now() - 120_000).toISOString(), traits: { email }, verifiable_addresses: [{ value: email, verified: true, via: 'email' }] } }),
  });

function beat(over: Record<string, unknown> = {}) {
  return {
    mirror_id: 'mirror-20261130T0200-abc123',
    backlog: 1,
    unmirrored_signups: 1,
    oldest_unmirrored_created_at: new Date(Date.now() - 30_000).toISOString(),
    last_sweep_at: new Date(Date.now() - 5_000).toISOString(),
    last_sweep_seen: 3,
    counts: { mirrored: 2, with_password: 1, without_password: 1, skipped: 0, failed: 0, hooks_dropped: 0, hooks: 3 },
    lag_ms: { p50: 800, p99: 2500, max: 3000, n: 2 },
    mirrored_with_password: [ID(1)],
    mirrored_without_password: [ID(2)],
    ...over,
  };
}
const post = (body: unknown, token: string = ADMIN.oncall) =>
  gw('/_switchback/api/mirror/heartbeat', { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > end) return v;
    await sleep(200);
  }
}

describe('the mirror heartbeat', () => {
  it('needs the oncall role and a valid body', async () => {
    expect((await post(beat(), 'nope')).status).toBe(401);
    expect((await post(beat(), ADMIN.viewer)).status).toBe(403);
    for (const bad of [{ ...beat(), backlog: -1 }, { ...beat(), mirrored_with_password: ['not-an-id'] }, { ...beat(), extra: 1 }, { ...beat(), mirrored_with_password: Array.from({ length: 301 }, (_, i) => ID(i)) }]) {
      expect((await post(bad)).status, JSON.stringify(bad).slice(0, 80)).toBe(400);
    }
    expect((await status()).mirror).toBeNull();
  });

  it("a mirror token sends the heartbeat and can do nothing else: no read, no flag, no rollback, no console", async () => {
    const flagBefore = (await status()).flag;
    const heartbeat = await post(beat(), ADMIN.mirror);
    expect(heartbeat.status, await heartbeat.clone().text()).toBe(200);
    expect((await status()).mirror).toMatchObject({ mirror_id: 'mirror-20261130T0200-abc123' });
    const as = (path: string, init: RequestInit = {}) => gw(path, { ...init, headers: { authorization: `Bearer ${ADMIN.mirror}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });
    const refused: [string, RequestInit?][] = [
      ['/_switchback/api/status'],
      ['/_switchback/api/audit'],
      ['/_switchback/api/rules'],
      ['/_switchback/api/mirror/heartbeat'], // a GET of its own path
      ['/_switchback/api/rollback', { method: 'POST', body: JSON.stringify({ reason: 'a leaked mirror token' }) }],
      ['/_switchback/api/flags/olympus_auth', { method: 'POST', body: JSON.stringify({ enabled: true, reason: 'a leaked mirror token' }) }],
    ];
    for (const [path, init] of refused) {
      const res = await as(path, init);
      expect(res.status, `${init?.method ?? 'GET'} ${path}`).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'forbidden', error_description: expect.stringContaining('mirror token') });
    }
    expect((await status()).flag).toMatchObject({ enabled: flagBefore.enabled, version: flagBefore.version });
    // The console's sign-in form refuses it too.
    const signIn = await gw('/_switchback/console/sign-in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' }, body: new URLSearchParams({ token: ADMIN.mirror }).toString() });
    expect(signIn.status).toBe(403);
    expect(signIn.headers.get('set-cookie') ?? '').not.toMatch(/session/);
  });

  it('marks the signups it mirrored, and /status and /metrics show lag, backlog, last sweep and who a rollback would strand', async () => {
    for (const n of [1, 2, 3]) expect((await hook(ID(n), `m${n}@example.com`)).status).toBe(201);
    expect((await status()).signups.stranded_if_rolled_back_now).toBe(3);
    const res = await post(beat());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ acknowledged: 2 });
    const st = await status();
    expect(st.signups.by_state).toMatchObject({ mirrored: 1, mirrored_reset: 1, pending: 1 });
    // Only m3 is in no legacy provider; the mirror also counts one (not necessarily captured at the edge).
    expect(st.signups.stranded_if_rolled_back_now).toBe(1);
    expect(st.mirror).toMatchObject({ mirror_id: 'mirror-20261130T0200-abc123', silent: false, backlog: 1, unmirrored_signups: 1, last_sweep_seen: 3, counts: { with_password: 1 } });
    // The oldest unmirrored signup is m3, captured at the edge two minutes ago.
    expect(st.mirror.lag_seconds).toBeGreaterThanOrEqual(119);
    // A mirror that knows of more unmirrored signups than the edge captured: its count wins.
    // A mirror that counts imported users who changed their password in Olympus (legacy-password.ts).
    await post(beat({ unmirrored_signups: 7, mirrored_with_password: [], mirrored_without_password: [], counts: { ...beat().counts, legacy_password_changed: 3, old_password_if_rolled_back_now: 2 } }));
    expect((await status()).signups.stranded_if_rolled_back_now).toBe(7);
    expect((await status()).mirror.counts).toMatchObject({ legacy_password_changed: 3, old_password_if_rolled_back_now: 2 });
    const metrics = await (await gw('/_switchback/api/metrics', { headers: { authorization: `Bearer ${ADMIN.viewer}` } })).text();
    expect(metrics).toContain('switchback_stranded_if_rolled_back_now 7');
    expect(metrics).toMatch(/switchback_mirror_lag_seconds 1[12]\d/);
    expect(metrics).toContain('switchback_mirror_backlog 1');
    expect(metrics).toContain('switchback_old_password_if_rolled_back_now 2');
    expect(metrics).toContain('switchback_mirror_up 1');
    expect(metrics).toContain('switchback_mirror_users{outcome="with_password"} 1');
    expect(metrics).toMatch(/switchback_mirror_last_sweep_timestamp_seconds \d{10}/);
  });

  it('a silent mirror raises one mirror.silent notification, and mirror.resumed when it reports again', async () => {
    await post(beat({ mirrored_with_password: [], mirrored_without_password: [] }));
    await runInDurableObject(stub(), (_i, state) => {
      const s = new ControllerStore(state.storage.sql);
      s.set('mirror', { ...s.get('mirror')!, received_at: new Date(Date.now() - 301_000).toISOString() });
    });
    expect((await status()).mirror.silent).toBe(true);
    await alarm();
    await alarm();
    expect((await auditTypes()).filter((t) => t === 'notification.mirror.silent')).toHaveLength(1);
    await post(beat({ mirrored_with_password: [], mirrored_without_password: [] }));
    expect((await auditTypes()).filter((t) => t === 'notification.mirror.resumed')).toHaveLength(1);
    expect((await status()).mirror.silent).toBe(false);
  });
});

describe('at rollback, after the mirror', () => {
  it('the Workflow sends no email to users mirrored with their password, one to a user mirrored without, none when another run claimed it', async () => {
    const mark = (id: string, extra: Record<string, unknown>) => ({ olympus_id: id, olympus_created_at: '2026-11-30T00:00:00.000Z', reconciled_by: 'switchback', reconcile_run: 'mirror-20261130T0200-abc123', written_by: 'mirror', ...extra });
    const users = [
      { n: 1, email: 'kept@example.com', meta: { password: 'kept' } },
      { n: 2, email: 'nohash@example.com', meta: { password: 'reset' } },
      { n: 3, email: 'claimed@example.com', meta: { password: 'reset', reset_claimed_by: 'rc-20261130T0300-cli000' } },
    ];
    for (const u of users) {
      expect((await hook(ID(u.n), u.email)).status).toBe(201);
      net.auth0Api.seedUser({ user_id: `m${u.n}`, email: u.email, app_metadata: mark(ID(u.n), u.meta) });
    }
    // The mirror told the controller about 1 and 2 (3's heartbeat was lost): the job has 2 and 3 left.
    await post(beat({ mirrored_with_password: [ID(1)], mirrored_without_password: [ID(2)], unmirrored_signups: 0 }));
    expect((await status()).signups.stranded_if_rolled_back_now).toBe(1);
    await stub().manualRollback('pager (oncall)', 'oncall', 'test');
    const st = await until(status, (s) => s.reconcile_job?.status === 'completed');
    expect(st.reconcile_job).toMatchObject({ total: 2, done: 2, totals: { created_reset_sent: 1, skipped_exists: 1 } });
    const resets = net.auth0Api.emails.filter((e) => e.kind === 'password_reset').map((e) => e.to);
    expect(resets).toEqual(['nohash@example.com']);
    expect(net.auth0Api.users.size).toBe(3);
    // The claim is on the user: a CLI run after this one sees it and sends nothing.
    expect((net.auth0Api.usersByEmail('nohash@example.com')[0]!.profile.app_metadata as Record<string, unknown>).reset_claimed_by).toBe(st.reconcile_job.run_id);
    expect(st.signups.by_state).toMatchObject({ mirrored: 1, created: 1, exists: 1 });
  });
});
