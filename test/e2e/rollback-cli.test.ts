/**
 * The plan's rollback script as a command (`npm run rollback`, `bin/switchback
 * rollback`), run as a child process against the whole local stack: a webhook
 * receiver as NOTIFY_WEBHOOK_URL, one admin token per role, and the Hydra
 * admin stand-in behind a "proxy" header.
 *
 * With Olympus on, one run flips to Auth0 and proves it: every step OK, /login
 * at Auth0, the stand-in got the token deletion for the gateway's client,
 * the webhook got rollback.triggered and rollback.completed before the command
 * returned, the audit names the oncall actor and the reason, all under 10 s.
 * A second run says "already on Auth0" and changes nothing. Refusals (bad
 * token, viewer role, unreachable gateway, bad usage) exit non-zero with a
 * clear message, never print a secret, and never reach Hydra; checks that fail
 * after the flip (origin down, Hydra proxy refusing, unknown client, webhook
 * down so the outbox does not drain in time) exit 1.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getFreePort } from '../../dev/free-port.ts';
import { loginTarget } from './support/gateway-admin.ts';
import { pollUntil } from './support/poll.ts';
import { unhandledErrorsSince } from './support/gateway-log.ts';
import { jsonReport, runRollbackCli, type CliRun } from './support/rollback-cli.ts';
import { HYDRA_PROXY_HEADER, startRollbackFixture, type AuditEntry, type RollbackFixture } from './support/rollback-fixture.ts';
import { okJson, readStatus } from '../../scripts/cli/admin-api.ts';

const REASON = 'login failures';
const TARGET_MS = 10_000;

let fx: RollbackFixture;
let logBefore = '';

beforeAll(async () => {
  fx = await startRollbackFixture();
});

afterAll(async () => {
  await fx?.stop();
});

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`--- gateway output ---\n${fx.stack.gatewayOutput().slice(-6000)}`));
  logBefore = fx.stack.gatewayOutput();
});

afterEach(() => {
  expect(unhandledErrorsSince(fx.stack, logBefore)).toEqual([]);
});

const status = () => readStatus(fx.api());
const audit = async (): Promise<AuditEntry[]> => (await okJson('GET /audit', fx.api().audit.$get({ query: { limit: '50' } }))).entries;
const origin = (url: string) => new URL(url).origin;

/** The human step lines: "3/6 verify origin health     OK          5 ms  GET ... → 200". */
function stepLines(run: CliRun): Array<{ n: number; title: string; status: string; ms: number; detail: string }> {
  return [...run.stdout.matchAll(/^(\d)\/6 (.+?)\s+(OK|FAILED|SKIPPED)\s+(\d+) ms {2}(.*)$/gm)].map((m) => ({ n: Number(m[1]), title: m[2]!, status: m[3]!, ms: Number(m[4]), detail: m[5]! }));
}

const context = (run: CliRun) => `exit ${run.code} after ${run.wallMs} ms:\n${run.output}`;

describe('a rollback with Olympus on', () => {
  it('flips to Auth0 and verifies every step: routing, origin, Hydra revocation, notifications, audit, under 10 s', async () => {
    await fx.enableOlympus();
    const hooksBefore = fx.webhook.received.length;
    const hydraBefore = fx.hydra.calls.length;

    // Gateway and token from the environment, as an on-call engineer would set them.
    const run = await runRollbackCli(['--reason', REASON, ...fx.hydraArgs()], fx.cliEnv());
    const ctx = context(run);
    expect(run.code, ctx).toBe(0);

    const steps = stepLines(run);
    expect(steps.map((s) => `${s.n} ${s.title} ${s.status}`), ctx).toEqual([
      '1 flip to Auth0 OK',
      '2 verify routing OK',
      '3 verify origin health OK',
      '4 revoke Olympus tokens OK',
      '5 notify OK',
      '6 token overlap OK',
    ]);
    expect(steps[0]!.detail).toMatch(/^rolled back: flag v\d+ disabled at /);
    expect(steps[1]!.detail).toContain(`/login → ${origin(fx.stack.auth0.url)} (Auth0)`);
    expect(steps[2]!.detail).toBe(`GET ${fx.stack.gatewayUrl}/api/health → 200`);
    expect(steps[3]!.detail).toContain(`client_id=${fx.stack.olympus.clientId} → 204`);
    expect(steps[4]!.detail).toMatch(/^gateway outbox empty after \d+ ms: rollback.triggered and rollback.completed delivered to webhook$/);
    expect((await status()).notification_receivers).toEqual(['webhook']);
    expect(run.stdout).toContain('\nRollback complete. Auth0 is primary again.\n');

    // The gateway agrees: flag off, and the printed overlap end is the gateway's.
    const now = await status();
    expect(now.flag.enabled).toBe(false);
    expect(now.overlap).not.toBeNull();
    expect(run.stdout).toContain(`Old Olympus tokens keep working until ${now.overlap!.ends_at} (`);
    expect(now.overlap!.rollback_at).toBe(now.flag.rollback_at);

    // Timing: the reported total and each step add up, and the whole command (Node + tsx start included) stays under 10 s.
    const total = Number(/^Total: (\d+) ms \(within the 10 s target\)$/m.exec(run.stdout)?.[1]);
    expect(total, ctx).toBeLessThan(TARGET_MS);
    expect(steps.reduce((s, x) => s + x.ms, 0)).toBeLessThanOrEqual(total + steps.length);
    expect(run.wallMs, ctx).toBeLessThan(TARGET_MS);

    // New logins really go to Auth0 (a fresh browser, not the command's own probe).
    expect(await loginTarget(fx.stack.gatewayUrl)).toBe(origin(fx.stack.auth0.url));

    // Hydra: the client was looked up, then its tokens deleted, through the proxy header; no gateway token sent there.
    const calls = fx.hydra.calls.slice(hydraBefore);
    expect(calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([`GET /admin/clients/${fx.stack.olympus.clientId} 200`, 'DELETE /admin/oauth2/tokens 204']);
    expect(calls[1]!.clientId).toBe(fx.stack.olympus.clientId);
    expect(calls[1]!.headers[HYDRA_PROXY_HEADER]).toBe(fx.hydraProxyKey);
    expect(calls.every((c) => c.headers.authorization === undefined)).toBe(true);

    // The notify step waited for the outbox: both notifications had arrived when the command returned.
    const notes = fx.webhook.received.slice(hooksBefore).filter((n) => n.type.startsWith('rollback.'));
    expect(notes.map((n) => n.type)).toEqual(['rollback.triggered', 'rollback.completed']);
    for (const note of notes) {
      expect(note).toMatchObject({
        schema: 'switchback.notification.v1',
        actor: 'test-oncall (oncall)',
        dry_run: false,
        flag: { enabled: false, rollback_at: now.flag.rollback_at },
      });
    }
    expect(notes[0]!.reason).toBe(`manual decision: ${REASON}`);
    expect(notes[0]!.text).toContain(REASON);
    expect(notes[1]!.reason).toBe('Rollback complete. Auth0 is primary again.');

    // The audit: exactly one rollback at this rollback_at, by the oncall token, with the reason.
    const rollbacks = (await audit()).filter((e) => e.type === 'rollback' && e.data.rollback_at === now.flag.rollback_at);
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]).toMatchObject({ actor: 'test-oncall (oncall)', data: { reason: `manual decision: ${REASON}`, role: 'oncall', to_version: now.flag.version } });

    expect(run.output).not.toContain(fx.tokens.oncall);
    expect(run.output).not.toContain(fx.hydraProxyKey);
  });

  it('a second run (bin/switchback, --json) says already on Auth0, changes nothing and still checks', async () => {
    // Self-contained: make sure we are on Auth0 (a no-op when the previous test ran).
    await okJson('POST /rollback', fx.api().rollback.$post({ json: { reason: 'test setup' } }));
    const before = await status();
    const hooksBefore = fx.webhook.received.length;
    const auditBefore = (await audit())[0]!.seq;

    const run = await runRollbackCli(['--reason', REASON, '--json', ...fx.hydraArgs()], fx.cliEnv(), { via: 'bin' });
    expect(run.code, context(run)).toBe(0);
    const report = jsonReport(run);
    expect(report).toMatchObject({ ok: true, exit_code: 0, rolled_back: false, already_on_auth0: true });
    expect(report.steps.map((s) => s.status)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'OK']);
    expect(report.steps[0]!.detail).toContain('already on Auth0');
    expect(report.steps[4]!.detail).toContain('nothing new to send');
    expect(report.messages).toContain('Already on Auth0: this run changed nothing, the checks below still run.');
    expect(report.messages).toContain('Rollback complete. Auth0 is primary again.');
    expect(report.overlap).toEqual({ ...before.overlap, seconds_left: expect.any(Number) });
    expect(report.total_ms).toBeLessThan(TARGET_MS);

    const after = await status();
    expect(after.flag).toEqual(before.flag);
    expect(fx.webhook.received.slice(hooksBefore).filter((n) => n.type.startsWith('rollback.'))).toEqual([]);
    expect((await audit()).filter((e) => e.seq > auditBefore && e.type === 'rollback')).toEqual([]);
  });
});

describe('refusals: nothing changes, nothing reaches Hydra, no secret is printed', () => {
  it('a wrong token exits 3, says the token was refused and skips every other step', async () => {
    await fx.enableOlympus();
    const hydraBefore = fx.hydra.calls.length;
    const wrong = `sbadm_wrong_${randomBytes(18).toString('base64url')}`;

    const run = await runRollbackCli(['--reason', REASON, '--token', wrong, ...fx.hydraArgs()], { SWITCHBACK_URL: fx.stack.gatewayUrl });
    const ctx = context(run);
    expect(run.code, ctx).toBe(3);
    expect(run.output).toContain('the gateway refused the admin token (HTTP 401 unauthorized)');
    expect(run.output).toContain('check SWITCHBACK_ADMIN_TOKEN / --token');
    expect(run.stderr).toContain('Rollback FAILED: the gateway did not confirm the flip.');
    expect(stepLines(run).map((s) => s.status)).toEqual(['FAILED', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(run.output).not.toContain(wrong);
    expect(run.output).not.toContain(fx.hydraProxyKey);
    expect(run.output).not.toContain('Rollback complete');

    expect((await status()).flag.enabled).toBe(true);
    expect(fx.hydra.calls.length).toBe(hydraBefore);
  });

  it('a viewer token exits 3 and names the role a rollback needs', async () => {
    await fx.enableOlympus();
    const hydraBefore = fx.hydra.calls.length;

    const run = await runRollbackCli(['--reason', REASON, '--json', ...fx.hydraArgs()], fx.cliEnv(fx.tokens.viewer));
    const ctx = context(run);
    expect(run.code, ctx).toBe(3);
    const report = jsonReport(run);
    expect(report.ok).toBe(false);
    expect(report.steps[0]).toMatchObject({ id: 'flip', status: 'FAILED' });
    expect(report.steps[0]!.detail).toContain('HTTP 403 forbidden');
    expect(report.steps[0]!.detail).toContain('"test-viewer" has viewer');
    expect(report.steps[0]!.detail).toContain('a rollback needs the oncall or eng-lead role');
    expect(run.output).not.toContain(fx.tokens.viewer);

    expect((await status()).flag.enabled).toBe(true);
    expect(fx.hydra.calls.length).toBe(hydraBefore);
  });

  it('an unreachable gateway exits 3 at once with a clear message', async () => {
    const port = await getFreePort();
    const hydraBefore = fx.hydra.calls.length;
    const run = await runRollbackCli(['--reason', REASON, '--gateway', `http://127.0.0.1:${port}`, ...fx.hydraArgs()], { SWITCHBACK_ADMIN_TOKEN: fx.tokens.oncall });
    const ctx = context(run);
    expect(run.code, ctx).toBe(3);
    expect(run.output).toContain(`cannot reach the gateway at http://127.0.0.1:${port}: connection refused (ECONNREFUSED); check --gateway / SWITCHBACK_URL`);
    expect(run.wallMs, ctx).toBeLessThan(5_000);
    expect(run.output).not.toContain(fx.tokens.oncall);
    expect(fx.hydra.calls.length).toBe(hydraBefore);
  });

  it('usage errors exit 2 before any request, without echoing secrets', async () => {
    const hydraBefore = fx.hydra.calls.length;
    const noReason = await runRollbackCli([], fx.cliEnv());
    expect(noReason.code, context(noReason)).toBe(2);
    expect(noReason.stderr).toContain('--reason is required');

    const noClient = await runRollbackCli(['--reason', REASON, '--hydra-admin-url', fx.hydra.url], fx.cliEnv());
    expect(noClient.code, context(noClient)).toBe(2);
    expect(noClient.stderr).toContain('pass --olympus-client-id ID or set OLYMPUS_CLIENT_ID');

    const secret = `hdr_${randomBytes(12).toString('hex')}`;
    const badHeader = await runRollbackCli(['--reason', REASON, ...fx.hydraArgs().slice(0, 4), '--hydra-admin-header', `${HYDRA_PROXY_HEADER}=${secret}`], fx.cliEnv());
    expect(badHeader.code, context(badHeader)).toBe(2);
    expect(badHeader.stderr).toContain("--hydra-admin-header must look like 'Name: value'");
    expect(badHeader.output).not.toContain(secret);

    const stray = await runRollbackCli(['--reason', REASON, fx.tokens.oncall], {});
    expect(stray.code, context(stray)).toBe(2);
    expect(stray.output).not.toContain(fx.tokens.oncall);

    expect((await status()).flag.enabled).toBe(true); // still on from the refusals above
    expect(fx.hydra.calls.length).toBe(hydraBefore);
  });
});

describe('checks that fail after the flip exit 1 and say so', () => {
  it('origin down and Hydra proxy refusing: steps 3 and 4 FAILED, the rest OK, Auth0 primary', async () => {
    await fx.enableOlympus();
    const run = await runRollbackCli(
      ['--reason', REASON, '--health-url', `${fx.stack.originUrl}/api/fail`, '--hydra-admin-url', fx.hydra.url, '--olympus-client-id', fx.stack.olympus.clientId],
      fx.cliEnv(),
    );
    const ctx = context(run);
    expect(run.code, ctx).toBe(1);
    const steps = stepLines(run);
    expect(steps.map((s) => s.status), ctx).toEqual(['OK', 'OK', 'FAILED', 'FAILED', 'OK', 'OK']);
    expect(steps[2]!.detail).toBe(`GET ${fx.stack.originUrl}/api/fail answered HTTP 500: intentional failure from the demo origin`);
    expect(steps[3]!.detail).toContain('answered HTTP 401');
    expect(steps[3]!.detail).toContain('check --hydra-admin-header');
    expect(run.stdout).toContain('Auth0 is primary again (routing verified), but verify origin health, revoke Olympus tokens failed: see above.');
    expect(run.stdout).not.toContain('Rollback complete.');
    expect(run.stderr).toContain('Rolled back, but a check FAILED:');
    expect((await status()).flag.enabled).toBe(false);
  });

  it('an unknown Olympus client id fails the revocation instead of "revoking" nothing', async () => {
    await fx.enableOlympus();
    const hydraBefore = fx.hydra.calls.length;
    const args = fx.hydraArgs();
    args[3] = `${fx.stack.olympus.clientId}-typo`;
    const run = await runRollbackCli(['--reason', REASON, '--json', ...args], fx.cliEnv());
    expect(run.code, context(run)).toBe(1);
    const report = jsonReport(run);
    expect(report.rolled_back).toBe(true);
    expect(report.steps[3]).toMatchObject({ id: 'revoke-olympus-tokens', status: 'FAILED' });
    expect(report.steps[3]!.detail).toContain(`Hydra has no OAuth2 client "${fx.stack.olympus.clientId}-typo"`);
    expect(fx.hydra.calls.slice(hydraBefore).map((c) => `${c.method} ${c.status}`)).toEqual(['GET 404']);
  });

  it('an on-call channel that is down fails the notify step at its bound; the outbox drains once it is back', async () => {
    await fx.enableOlympus();
    const hooksBefore = fx.webhook.received.length;
    fx.webhook.failWith(503);
    let run: CliRun;
    try {
      run = await runRollbackCli(['--reason', REASON, '--json'], fx.cliEnv());
    } finally {
      fx.webhook.failWith(undefined);
    }
    expect(run.code, context(run)).toBe(1);
    const report = jsonReport(run);
    expect(report.steps.map((s) => s.status)).toEqual(['OK', 'OK', 'OK', 'SKIPPED', 'FAILED', 'OK']);
    expect(report.steps[3]!.detail).toBe('no --hydra-admin-url / HYDRA_ADMIN_URL given');
    expect(report.steps[4]!.detail).toMatch(/^2 notification\(s\) still in the gateway's outbox after 5000 ms .*tell the on-call channel yourself$/);
    expect(report.steps[4]!.ms).toBeGreaterThanOrEqual(5_000);
    expect(report.total_ms).toBeLessThan(TARGET_MS);
    expect(report.messages).not.toContain('Rollback complete. Auth0 is primary again.');
    expect(report.messages).toContain('Auth0 is primary again (routing verified), but notify failed: see above.');

    // The controller retries: once the channel answers again, both notifications arrive.
    await pollUntil('outbox drained after the webhook came back', async () => ((await status()).notifications_pending === 0 ? true : undefined), { timeoutMs: 20_000, intervalMs: 200 });
    expect(fx.webhook.received.slice(hooksBefore).map((n) => n.type)).toEqual(['rollback.triggered', 'rollback.completed']);
  });
});
