/**
 * `npm start` refuses a bad configuration before anything is served: with an
 * invalid SWITCHBACK_VAR_* override it exits non-zero, the gateway port never
 * answers, and the message names the variable without echoing a secret. The
 * last case is the control: a valid override starts and serves (so the port
 * watch really can see a gateway), and SIGTERM takes the gateway down with it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedVars } from '../../dev/config-vars.ts';
import { pollUntil } from './support/poll.ts';
import { portAnswers, RUNNING_BANNER, runStart, type StartRun } from './support/start-process.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchback-start-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A .dev.vars-style file in a temp directory (never in the repo). */
async function varsFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function expectRefused(run: StartRun, variable: string): void {
  const context = `exit ${run.code}/${run.signal} after ${run.durationMs} ms:\n${run.output}`;
  expect(run.signal, context).toBeNull();
  expect(run.code, context).not.toBe(0);
  expect(run.code, context).not.toBeNull();
  expect(run.gatewayAnswered, context).toBe(false);
  expect(run.output, context).not.toContain(RUNNING_BANNER);
  expect(run.output, context).toMatch(new RegExp(`switchback is misconfigured: ${variable}\\b`));
}

describe('npm start with an invalid override', () => {
  it('SWITCHBACK_VAR_ORIGIN_URL=garbage exits non-zero before serving, naming ORIGIN_URL', async () => {
    const run = await runStart({ ORIGIN_URL: 'garbage' });
    expectRefused(run, 'ORIGIN_URL');
    expect(run.output).toContain('ORIGIN_URL must be an absolute http(s) URL');
  });

  it('a GATEWAY_SIGNING_KEY that is not JSON exits non-zero before serving, without echoing it', async () => {
    const run = await runStart({ GATEWAY_SIGNING_KEY: 'not-json-S3CRET-MARKER' });
    expectRefused(run, 'GATEWAY_SIGNING_KEY');
    expect(run.output).not.toContain('S3CRET-MARKER');
  });

  it('a GATEWAY_SIGNING_KEY that is not a private P-256 JWK exits non-zero before serving, without echoing it', async () => {
    const p384 = { kty: 'EC', crv: 'P-384', kid: 'wrong-curve', x: 'AAAA', y: 'BBBB', d: 'PRIVATE-D-MARKER' };
    const run = await runStart({ GATEWAY_SIGNING_KEY: JSON.stringify(p384) });
    expectRefused(run, 'GATEWAY_SIGNING_KEY');
    expect(run.output).toContain('must be a private EC P-256 JWK');
    expect(run.output).not.toContain('PRIVATE-D-MARKER');
  });

  it('Olympus with neither an audience nor client token binding exits non-zero, naming OLYMPUS_AUDIENCE', async () => {
    const run = await runStart({ OLYMPUS_TOKEN_BINDING: '' });
    expectRefused(run, 'OLYMPUS_AUDIENCE');
    expect(run.output).toContain('OLYMPUS_TOKEN_BINDING=client');
  });
});

describe('npm start reads the documented names', () => {
  it('TOKEN_OVERLAP_SECONDS=abc in the environment exits non-zero before serving, naming the variable and where it came from', async () => {
    const run = await runStart({}, undefined, { env: { TOKEN_OVERLAP_SECONDS: 'abc' } });
    expectRefused(run, 'TOKEN_OVERLAP_SECONDS');
    expect(run.output).toContain('switchback is misconfigured: TOKEN_OVERLAP_SECONDS must be a whole number between');
    expect(run.output).toContain('(TOKEN_OVERLAP_SECONDS was read from environment)');
  });

  it('a bad value in the env file (--env-file, like .dev.vars) is refused, naming the variable and the file', async () => {
    const file = await varsFile('bad.dev.vars', "# comment\nROLLBACK_RULES='{\"rollback_if\": \"nope\"}'\n");
    const run = await runStart({}, undefined, { args: ['--env-file', file] });
    expectRefused(run, 'ROLLBACK_RULES');
    expect(run.output).toContain(`(ROLLBACK_RULES was read from ${file})`);
  });

  it('the environment wins over the file: a good file value does not hide a bad environment one', async () => {
    const file = await varsFile('good.dev.vars', 'SESSION_TTL_SECONDS=600\n');
    const run = await runStart({}, undefined, { args: ['--env-file', file], env: { SESSION_TTL_SECONDS: 'ten minutes' } });
    expectRefused(run, 'SESSION_TTL_SECONDS');
  });

  it('--help lists every documented variable and the flags, and starts nothing', async () => {
    const run = await runStart({}, 30_000, { args: ['--help'] });
    expect(run.code, run.output).toBe(0);
    expect(run.gatewayAnswered).toBe(false);
    expect(run.output).not.toContain(RUNNING_BANNER);
    const names = documentedVars().map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['TOKEN_OVERLAP_SECONDS', 'ROLLBACK_RULES', 'AUTH0_TOKEN_BINDING', 'OLYMPUS_TOKEN_BINDING', 'ORIGIN_URL', 'KRATOS_ADMIN_URL']));
    expect(names).not.toContain('SWITCHBACK_URL'); // CLI only
    for (const name of names) expect(run.output).toMatch(new RegExp(`^    ${name} `, 'm'));
    for (const flag of ['--env-file', '--port', '--origin-port', '--auth0-port', '--olympus-port', 'SWITCHBACK_VAR_', '.dev.vars']) expect(run.output).toContain(flag);
  });

  it('a port in use says which variable or flag picks another', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const run = await runStart({}, undefined, { env: { OLYMPUS_PORT: String(port) } });
      expect(run.code, run.output).toBe(1);
      expect(run.output).toContain(`olympus port ${port} on 127.0.0.1 is not available`);
      expect(run.output).toContain(`Pick another with OLYMPUS_PORT=<port> or npm start -- --olympus-port <port>`);
    } finally {
      busy.close();
    }
  });
});

describe('npm start with a valid configuration (control)', () => {
  it('starts, serves the gateway, takes the file, the environment and the alias in that order, and stops it all on SIGTERM', { timeout: 180_000 }, async () => {
    // The file's TOKEN_OVERLAP_SECONDS is bad, but the alias wins; its PUBLIC_PATHS is used; an undocumented name is reported, not passed.
    const file = await varsFile('control.dev.vars', 'TOKEN_OVERLAP_SECONDS=abc\nPUBLIC_PATHS=/api/health,/api/echo-headers\nDATABASE_URL=postgres://elsewhere\n');
    let publicPathStatus = 0;
    const run = await runStart({ TOKEN_OVERLAP_SECONDS: '5' }, 150_000, {
      args: ['--env-file', file],
      env: { IDENTIFIER_FIRST: 'true' },
      whileRunning: async (_output, gatewayPort) => {
        const res = await fetch(`http://127.0.0.1:${gatewayPort}/api/echo-headers`, { headers: { 'cf-connecting-ip': '198.51.100.9' } });
        publicPathStatus = res.status;
        await res.arrayBuffer();
      },
    });
    const context = `exit ${run.code}/${run.signal} after ${run.durationMs} ms:\n${run.output}`;
    expect(run.output, context).toContain(RUNNING_BANNER);
    const taken = /variables from your configuration: (.*)/.exec(run.output)?.[1] ?? '';
    expect(taken.split(', ').sort(), context).toEqual([`PUBLIC_PATHS (${file})`, 'IDENTIFIER_FIRST (environment)', 'TOKEN_OVERLAP_SECONDS (SWITCHBACK_VAR_TOKEN_OVERLAP_SECONDS)'].sort());
    expect(run.output, context).toContain(`ignored (not documented gateway variables): DATABASE_URL (${file})`);
    expect(publicPathStatus, context).toBe(200); // a public path only because the file said so (401 otherwise)
    expect(run.gatewayAnswered, context).toBe(true);
    // runStart sent SIGTERM once the banner appeared; wrangler (its own process group) must go too.
    await pollUntil('gateway port closed after SIGTERM', async () => ((await portAnswers(run.gatewayPort)) ? undefined : true), { timeoutMs: 10_000, intervalMs: 200 });
  });
});
