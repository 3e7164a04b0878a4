/**
 * The failure drill `npm start` prints really rolls back: start the stack as a
 * newcomer would (`npm start`, demo rules, a TOKEN_OVERLAP_SECONDS from an env
 * file), copy the drill command from the banner, run it in a shell, and check
 * on the gateway that the controller itself rolled back under the demo login
 * rule, with the file's overlap, and that new logins go to Auth0.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../dev/stack.ts';
import { node22 } from '../../dev/node-binary.ts';
import { DEMO_LOGIN_RULE } from '../../dev/demo-rules.ts';
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
  it('rolls back by itself under the demo rules, as the banner says', { timeout: 120_000 }, async () => {
    const envFile = join(dir, 'drill.env');
    await writeFile(envFile, `# a newcomer's .dev.vars\nTOKEN_OVERLAP_SECONDS=${OVERLAP_FROM_FILE}\n`);
    let checked = false;
    const run = await runStart({}, 100_000, {
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

        const result = await shell(line!);
        expect(result.code, result.output).toBe(0);
        expect(result.output).toContain('ROLLED BACK by switchback-controller');

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
        checked = true;
      },
    });
    expect(run.output, run.output).toContain(RUNNING_BANNER);
    expect(checked, run.output).toBe(true);
  });
});
