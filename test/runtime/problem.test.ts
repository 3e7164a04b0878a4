/**
 * One error model: every wire code has one status, every internal error code
 * lands on a wire code, and the last-resort onError answers with a problem
 * body that never carries the thrown error's message.
 */
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { ERROR_PROBLEM, onUnhandledError, PROBLEM_STATUS, problemCodeFor } from '../../src/http/problem.ts';
import { ConfigError } from '../../src/config.ts';
import { DiscoveryError } from '../../src/providers/discovery.ts';
import { SignupPayloadError } from '../../src/reconcile/signup-record.ts';
import { VerifyError } from '../../src/verify/verify-error.ts';
import { SwitchbackError } from '../../src/core/errors.ts';

const SECRET_DETAIL = 'db password is hunter2';

function appThrowing(err: unknown) {
  return new Hono()
    .get('/boom', () => {
      throw err;
    })
    .onError(onUnhandledError);
}

describe('the problem table', () => {
  it('gives every wire code a 4xx or 5xx status', () => {
    for (const [code, status] of Object.entries(PROBLEM_STATUS)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
    }
  });

  it('places every gateway error code on a wire code that has a status', () => {
    for (const [code, wire] of Object.entries(ERROR_PROBLEM)) expect(PROBLEM_STATUS[wire], code).toBeDefined();
  });

  it.each([
    [new ConfigError('PUBLIC_URL', 'is not set'), 'misconfigured', 503],
    [new DiscoveryError('discovery unreachable'), 'temporarily_unavailable', 503],
    [new SignupPayloadError('identity too large'), 'invalid_request', 400],
    [new VerifyError('expired'), 'unauthorized', 401],
    [new Error('boom'), 'internal_error', 500],
    ['a string', 'internal_error', 500],
  ])('%s -> %s (%i)', (err, wire, status) => {
    expect(problemCodeFor(err)).toBe(wire);
    expect(PROBLEM_STATUS[problemCodeFor(err)]).toBe(status);
  });

  it('errors carry their code, the class name and the cause', () => {
    const cause = new Error('socket hang up');
    const err = new DiscoveryError('discovery unreachable', { cause });
    expect(err).toBeInstanceOf(SwitchbackError);
    expect(err.code).toBe('ERR_DISCOVERY');
    expect(err.name).toBe('DiscoveryError');
    expect(err.cause).toBe(cause);
  });
});

describe('onError', () => {
  it('renders an unknown error as internal_error without its message, and logs it', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await appThrowing(new Error(SECRET_DETAIL)).request('/boom');
    expect(res.status).toBe(500);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal_error', error_description: 'The gateway could not handle this request.' });
    expect(text).not.toContain('hunter2');
    expect(logged.mock.calls.map((c) => String(c[0])).join('\n')).toContain('"reason":"internal_error"');
    logged.mockRestore();
  });

  it('renders a known error by its code, with a generic sentence, not its message', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await appThrowing(new DiscoveryError(`discovery unreachable: ${SECRET_DETAIL}`)).request('/boom');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe('temporarily_unavailable');
    expect(body.error_description).not.toContain('hunter2');
    expect(logged.mock.calls.map((c) => String(c[0])).join('\n')).toContain('"reason":"ERR_DISCOVERY"');
    logged.mockRestore();
  });
});
