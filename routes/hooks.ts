/**
 * Inbound signals for the rollback rules:
 * - POST /_switchback/hooks/support-ticket: one event per ticket, signed with
 *   HMAC-SHA256 of the raw body under SUPPORT_HOOK_SECRET (hex in X-Signature);
 * - POST /_switchback/hooks/auth0-log-stream: Auth0's custom-webhook log
 *   stream (a JSON array of log events; `s` is a successful login, `f`, `fp`,
 *   `fu` failed ones), with the bearer token configured on the stream;
 * - POST /_switchback/hooks/kratos-after-login: a Kratos after-login web hook
 *   (it fires on success only), with the token configured on the hook.
 * - POST /_switchback/hooks/olympus-registration: the Kratos after-registration
 *   web hook; records each new identity so a rollback can bring it back to
 *   Auth0 even when the Kratos admin API is unreachable. Not telemetry: the
 *   record is written before the hook answers, and a failure answers 503 so
 *   Kratos can retry.
 * A hook whose secret is not configured answers 404: closed by default.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../src/env.ts';
import { tokenMatches, verifyHmacSha256 } from '../src/admin/hook-auth.ts';
import { recordOutcome } from '../src/telemetry/outcome-recorder.ts';
import { log } from '../src/core/log.ts';
import { controller } from '../src/controller/controller-client.ts';
import { parseSignupPayload, SignupPayloadError } from '../src/reconcile/signup-record.ts';

const MAX_HOOK_BYTES = 256 * 1024;
const AUTH0_SUCCESS = new Set(['s']);
const AUTH0_FAILURE = new Set(['f', 'fp', 'fu']);

function refuse(c: Context<AppEnv>, status: 400 | 401 | 404 | 413 | 503, error: string, description: string) {
  return c.json({ error, error_description: description }, status);
}

async function rawBody(c: Context<AppEnv>): Promise<Uint8Array | Response> {
  if (Number(c.req.header('content-length') ?? '0') > MAX_HOOK_BYTES) return refuse(c, 413, 'payload_too_large', `The body must be at most ${MAX_HOOK_BYTES} bytes.`);
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.byteLength > MAX_HOOK_BYTES) return refuse(c, 413, 'payload_too_large', `The body must be at most ${MAX_HOOK_BYTES} bytes.`);
  return body;
}

export const hooks = new Hono<AppEnv>()
  .post('/_switchback/hooks/support-ticket', async (c) => {
    const secret = c.var.config.supportHookSecret;
    if (!secret) return refuse(c, 404, 'not_found', 'The support-ticket hook is not configured (SUPPORT_HOOK_SECRET).');
    const body = await rawBody(c);
    if (body instanceof Response) return body;
    if (!(await verifyHmacSha256(secret, body, c.req.header('x-signature')))) {
      log('warn', { event: 'hook_rejected', hook: 'support-ticket', reason: 'signature_invalid' });
      return refuse(c, 401, 'invalid_signature', 'X-Signature must be the hex HMAC-SHA256 of the raw body.');
    }
    recordOutcome(c.env, c.executionCtx, { k: 'ticket', n: 1, at: Date.now() });
    return c.json({ accepted: 1 }, 202);
  })
  .post('/_switchback/hooks/auth0-log-stream', async (c) => {
    const token = c.var.config.auth0LogStreamToken;
    if (!token) return refuse(c, 404, 'not_found', 'The Auth0 log-stream hook is not configured (AUTH0_LOG_STREAM_TOKEN).');
    if (!tokenMatches(token, c.req.header('authorization'))) return refuse(c, 401, 'unauthorized', 'Wrong or missing Authorization token.');
    const body = await rawBody(c);
    if (body instanceof Response) return body;
    let logs: unknown;
    try {
      logs = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return refuse(c, 400, 'invalid_json', 'The body is not valid JSON.');
    }
    const list = Array.isArray(logs) ? logs : [logs];
    let ok = 0;
    let failed = 0;
    for (const entry of list) {
      const type = (entry as { data?: { type?: unknown } })?.data?.type;
      if (typeof type !== 'string') continue;
      if (AUTH0_SUCCESS.has(type)) ok++;
      else if (AUTH0_FAILURE.has(type)) failed++;
    }
    const at = Date.now();
    if (ok) recordOutcome(c.env, c.executionCtx, { k: 'provider_login', provider: 'auth0', outcome: 'succeeded', source: 'auth0-log-stream', n: ok, at });
    if (failed) recordOutcome(c.env, c.executionCtx, { k: 'provider_login', provider: 'auth0', outcome: 'failed', source: 'auth0-log-stream', n: failed, at });
    return c.json({ accepted: ok + failed, ignored: list.length - ok - failed }, 202);
  })
  .post('/_switchback/hooks/kratos-after-login', async (c) => {
    const token = c.var.config.kratosHookToken;
    if (!token) return refuse(c, 404, 'not_found', 'The Kratos after-login hook is not configured (KRATOS_HOOK_TOKEN).');
    if (!tokenMatches(token, c.req.header('authorization'))) return refuse(c, 401, 'unauthorized', 'Wrong or missing Authorization token.');
    const body = await rawBody(c);
    if (body instanceof Response) return body;
    recordOutcome(c.env, c.executionCtx, { k: 'provider_login', provider: 'olympus', outcome: 'succeeded', source: 'kratos-after-login', n: 1, at: Date.now() });
    return c.json({ accepted: 1 }, 202);
  })
  .post('/_switchback/hooks/olympus-registration', async (c) => {
    const token = c.var.config.kratosHookToken;
    if (!token) return refuse(c, 404, 'not_found', 'The Olympus registration hook is not configured (KRATOS_HOOK_TOKEN).');
    if (!tokenMatches(token, c.req.header('authorization'))) return refuse(c, 401, 'unauthorized', 'Wrong or missing Authorization token.');
    const body = await rawBody(c);
    if (body instanceof Response) return body;
    let signup;
    try {
      signup = parseSignupPayload(JSON.parse(new TextDecoder().decode(body)));
    } catch (err) {
      const message = err instanceof SignupPayloadError ? err.message : 'The body is not valid JSON.';
      return refuse(c, 400, 'invalid_request', message);
    }
    try {
      const { captured } = await controller(c.env).captureSignup(signup);
      return c.json({ captured, id: signup.id }, captured ? 201 : 200);
    } catch (err) {
      log('error', { event: 'signup_capture_failed', reason: 'controller_unreachable', error: String(err) });
      return refuse(c, 503, 'temporarily_unavailable', 'The signup could not be recorded; retry.');
    }
  });
