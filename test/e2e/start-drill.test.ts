/**
 * The failure drill `npm start` prints really rolls back: start the stack as a
 * newcomer would (`npm start`, demo rules, a TOKEN_OVERLAP_SECONDS from an env
 * file), copy the drill command from the banner, run it in a shell, and check
 * on the gateway that the controller itself rolled back under the demo login
 * rule, with the file's overlap, and that new logins go to Auth0.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../dev/stack.ts';
import { node22 } from '../../dev/node-binary.ts';
import { DEMO_LOGIN_RULE, DEMO_RULES } from '../../dev/demo-rules.ts';
import { adminApi, okJson, readStatus } from '../../scripts/cli/admin-api.ts';
import { loginTarget } from './support/gateway-admin.ts';
import { pollUntil } from './support/poll.ts';
import { RUNNING_BANNER, runStart } from './support/start-process.ts';

const OVERLAP_FROM_FILE = 42;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchback-drill-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function shell(line: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', line], { cwd: REPO_ROOT, env: { ...process.env, PATH: `${dirname(node22())}:${process.env.PATH}`, NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('the failure drill printed by npm start', () => {
  it('rolls back by itself under the demo rules, as the banner says', { timeout: 150_000 }, async () => {
    const envFile = join(dir, 'drill.env');
    await writeFile(envFile, `# a newcomer's .dev.vars\nTOKEN_OVERLAP_SECONDS=${OVERLAP_FROM_FILE}\n`);
    let checked = false;
    const run = await runStart({}, 130_000, {
      args: ['--env-file', envFile],
      whileRunning: async (output) => {
        const { value: banner } = await pollUntil('the whole banner', async () => (output().includes('Ctrl-C to stop.') ? output() : undefined), { timeoutMs: 5_000, intervalMs: 50 });
        expect(banner).toContain('Demo rules: faster than production');
        expect(banner).toContain('ROLLBACK_RULES');
        expect(banner).toContain(`TOKEN_OVERLAP_SECONDS (${envFile})`);
        const drill = /^\s*(SWITCHBACK_URL=(\S+) SWITCHBACK_ADMIN_TOKEN=(\S+) npm run drill -- --olympus (\S+))$/m.exec(banner);
        expect(drill, banner).not.toBeNull();
        const [, line, gatewayUrl, token, olympusUrl] = drill!;
        expect(banner).toContain(`${gatewayUrl}/_switchback/api/status`); // how to watch it

        const out = join(dir, 'reports-1');
        const result = await shell(`${line!} --out ${out}`);
        expect(result.code, result.output).toBe(0);
        expect(result.output).toContain('ROLLED BACK by switchback-controller');
        expect(result.output).toContain('drill: PASSED');
        // The three reports, and the verdict per criterion in them.
        const report = JSON.parse(await readFile(join(out, 'drill.json'), 'utf8')) as { verdict: string; criteria: Array<{ name: string; pass: boolean }>; durations_ms: Record<string, number | null> };
        expect(report.verdict).toBe('pass');
        expect(report.criteria.map((c) => c.name)).toEqual(['steady state before the drill', 'rollback within the target', 'the legacy provider serves sign-in', 'nobody signed out early', 'logs as the plan expects', 'restored']);
        expect(report.durations_ms.injected_to_legacy_sign_in).toBeGreaterThan(0);
        expect(await readFile(join(out, 'drill.md'), 'utf8')).toContain('# Rollback drill: PASS');
        expect(await readFile(join(out, 'drill.html'), 'utf8')).toContain('<ol class="timeline">');

        const api = adminApi(gatewayUrl!, token!);
        const status = await readStatus(api);
        expect(status.flag.enabled).toBe(false);
        expect(status.flag.updated_by).toBe('switchback-controller');
        // The overlap is the file's value: the worker really got it.
        expect(status.overlap).not.toBeNull();
        expect(Date.parse(status.overlap!.ends_at) - Date.parse(status.overlap!.rollback_at)).toBe(OVERLAP_FROM_FILE * 1000);
        const audit = (await okJson('GET /audit', api.audit.$get({ query: { limit: '50' } }))).entries.filter((e) => e.type === 'rollback');
        expect(audit).toHaveLength(1);
        expect(audit[0]!.actor).toBe('switchback-controller');
        expect(audit[0]!.data).toMatchObject({ rule: DEMO_LOGIN_RULE, window: 60 });
        // New logins go to Auth0, and the drill left the Olympus stand-in healthy.
        expect(await loginTarget(gatewayUrl!)).toBe(new URL(banner.match(/Auth0 \(local stand-in\)\s+(\S+)/)![1]!).origin);
        const mode = await fetch(`${olympusUrl}/_control/mode`);
        expect(await mode.json()).toMatchObject({ failLogins: false });

        // Broken on purpose: an impossible target. The verdict fails, exit 1, naming that criterion only.
        // (A 10 s login window first, so the first drill's failures have left it and the steady state holds.)
        const rules = JSON.stringify({ ...DEMO_RULES, rollback_if: [{ ...(DEMO_RULES.rollback_if[0] as object), window: '10s' }, ...DEMO_RULES.rollback_if.slice(1)] });
        const put = await fetch(`${gatewayUrl}/_switchback/api/rules`, { method: 'PUT', body: rules, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
        expect(put.status).toBe(200);
        await new Promise((r) => setTimeout(r, 11_000));
        const broken = await shell(`${line!} --out ${join(dir, 'reports-2')} --target 0.001`);
        expect(broken.code, broken.output).toBe(1);
        expect(broken.output).toContain('drill: FAILED: rollback within the target');
        const drills = (await okJson('GET /drills', api.drills.$get())).drills;
        expect(drills.map((d) => d.verdict)).toEqual(['fail', 'pass']);

        // As on a staging gateway: the controller's drill mode takes synthetic failing logins instead of the stand-in.
        await new Promise((r) => setTimeout(r, 11_000));
        const historyBefore = JSON.stringify((await okJson('GET /history', api.history.$get({ query: { range: '15m' } }))).series);
        const staged = await shell(`${line!} --out ${join(dir, 'reports-3')} --inject drill-mode`);
        expect(staged.code, staged.output).toBe(0);
        expect(staged.output).toContain("injected by the controller's drill mode");
        const stagedReport = JSON.parse(await readFile(join(dir, 'reports-3', 'drill.json'), 'utf8')) as { verdict: string; injection: { how: string; counters: { failed: number } } };
        expect(stagedReport).toMatchObject({ verdict: 'pass', injection: { how: 'drill-mode' } });
        expect(stagedReport.injection.counters.failed).toBeGreaterThanOrEqual(16);
        // The synthetic failures never reached the real per-minute history; the stand-in was never switched.
        const historyAfter = (await okJson('GET /history', api.history.$get({ query: { range: '15m' } }))).series;
        const failedNow = (historyAfter.login?.olympus?.failed ?? []).reduce((a, b) => a + b, 0);
        const failedBefore = ((JSON.parse(historyBefore) as typeof historyAfter).login?.olympus?.failed ?? []).reduce((a, b) => a + b, 0);
        expect(failedNow).toBe(failedBefore);
        const trail = (await okJson('GET /audit', api.audit.$get({ query: { limit: '100' } }))).entries.map((e) => e.type);
        expect(trail).toContain('drill_mode.enabled');
        expect(trail).toContain('drill_mode.ended');

        // After the rollback: the postmortem bundle of the last one, and what users would be told.
        const env = line!.split(' npm run ')[0]!;
        const pm = await shell(`${env} npm run -s postmortem -- --out ${join(dir, 'pm')}`);
        expect(pm.code, pm.output).toBe(0);
        const bundle = JSON.parse(await readFile(join(dir, 'pm', 'postmortem.json'), 'utf8')) as { incident: { rollback_seq: number; reason: string }; timeline: Array<{ seq: number; type: string }> };
        const lastRollback = (await okJson('GET /audit', api.audit.$get({ query: { limit: '200' } }))).entries.find((e) => e.type === 'rollback')!;
        expect(bundle.incident.rollback_seq).toBe(lastRollback.seq);
        expect(bundle.incident.reason).toMatch(/^drill: rule .* breached on drill traffic/);
        expect(bundle.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['flag.changed', 'drill_mode.enabled', 'rollback', 'notification.rollback.completed']));
        expect(bundle.timeline.map((e) => e.seq)).toEqual([...bundle.timeline.map((e) => e.seq)].sort((a, b) => a - b));
        expect(await readFile(join(dir, 'pm', 'postmortem.md'), 'utf8')).toContain(`# Postmortem bundle: rollback ${lastRollback.seq}`);
        const comms = await shell(`${env} npm run -s comms -- preview`);
        expect(comms.code, comms.output).toBe(0);
        expect(comms.output).toContain('Subject: Brief authentication issue resolved');
        checked = true;
      },
    });
    expect(run.output, run.output).toContain(RUNNING_BANNER);
    expect(checked, run.output).toBe(true);
  });
});
