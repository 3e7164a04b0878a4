/**
 * `npm start` refuses a bad configuration before anything is served: with an
 * invalid SWITCHBACK_VAR_* override it exits non-zero, the gateway port never
 * answers, and the message names the variable without echoing a secret. The
 * last case is the control: a valid override starts and serves (so the port
 * watch really can see a gateway), and SIGTERM takes the gateway down with it.
 */
import { describe, expect, it } from 'vitest';
import { pollUntil } from './support/poll.ts';
import { portAnswers, RUNNING_BANNER, runStart, type StartRun } from './support/start-process.ts';

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

describe('npm start with a valid override (control)', () => {
  it('starts, serves the gateway, reports the override, and stops it all on SIGTERM', { timeout: 180_000 }, async () => {
    const run = await runStart({ TOKEN_OVERLAP_SECONDS: '5' }, 150_000);
    const context = `exit ${run.code}/${run.signal} after ${run.durationMs} ms:\n${run.output}`;
    expect(run.output, context).toContain(RUNNING_BANNER);
    expect(run.output, context).toContain('variables overridden from SWITCHBACK_VAR_*: TOKEN_OVERLAP_SECONDS');
    expect(run.gatewayAnswered, context).toBe(true);
    // runStart sent SIGTERM once the banner appeared; wrangler (its own process group) must go too.
    await pollUntil('gateway port closed after SIGTERM', async () => ((await portAnswers(run.gatewayPort)) ? undefined : true), { timeoutMs: 10_000, intervalMs: 200 });
  });
});
