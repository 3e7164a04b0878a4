/**
 * Inbound signals for the rollback rules:
 * - POST /_switchback/hooks/support-ticket: one event per ticket, signed with
 *   HMAC-SHA256 under SUPPORT_HOOK_SECRET (hex in X-Signature) of the raw
 *   body, or of `${X-Signature-Timestamp}.${rawBody}` (5-minute tolerance);
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
 *
 * Every counted delivery carries a key (src/telemetry/delivery-key.ts) and
 * the controller's delivery ledger counts each key once per window, so a
 * replayed or retried delivery moves no rule. Bodies are read from the stream
 * with a hard limit before anything else looks at them.
 *
 * The telemetry hooks answer 202 once the delivery is verified, and count it
 * off the hot path: when the controller is unreachable the count is lost
 * (visible as events_lost_total), not retried. Accept-and-not-count rather
 * than 503, because the senders treat a 5xx badly: Kratos web hooks that are
 * not `ignore`d fail the user's login, and Auth0 pauses a log stream that
 * keeps failing. A missing count only makes a rule less likely to fire.
 */
import { LEGACY, TARGET } from '../core/provider-id.ts';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { checkSignedDelivery, SIGNATURE_TOLERANCE_SECONDS, tokenMatches, type SignatureCheck } from '../admin/hook-auth.ts';
import { readBounded } from '../http/bounded-body.ts';
import { auth0LogDeliveryKey, kratosLoginDeliveryKey, ticketDeliveryKey } from '../telemetry/delivery-key.ts';
import { recordOutcome } from '../telemetry/outcome-recorder.ts';
import { log } from '../core/log.ts';
import { controller } from '../rollback/controller-client.ts';
import { parseSignupPayload, SignupPayloadError } from '../reconcile/signup-record.ts';
import { problem } from '../http/problem.ts';

const MAX_HOOK_BYTES = 256 * 1024;
const AUTH0_SUCCESS = new Set(['s']);
const AUTH0_FAILURE = new Set(['f', 'fp', 'fu']);

async function rawBody(c: Context<AppEnv>): Promise<Uint8Array | Response> {
  const body = await readBounded(c.req.raw, MAX_HOOK_BYTES);
  if (!body.ok) return problem(c, 'payload_too_large', `The body must be at most ${MAX_HOOK_BYTES} bytes.`);
  return body.bytes;
}

const SIGNATURE_REFUSALS = {
  signature_invalid: 'X-Signature must be the hex HMAC-SHA256 of the raw body, or of "<X-Signature-Timestamp>.<raw body>" when a timestamp is sent.',
  timestamp_invalid: 'X-Signature-Timestamp must be a Unix time in seconds.',
  timestamp_out_of_tolerance: `X-Signature-Timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} seconds away from now.`,
} satisfies Record<Exclude<SignatureCheck, 'ok'>, string>;

export const hooks = new Hono<AppEnv>()
  .post('/_switchback/hooks/support-ticket', async (c) => {
    const secret = c.var.config.supportHookSecret;
    if (!secret) return problem(c, 'not_found', 'The support-ticket hook is not configured (SUPPORT_HOOK_SECRET).');
    const body = await rawBody(c);
    if (body instanceof Response) return body;
    const check = await checkSignedDelivery(secret, body, c.req.header('x-signature'), c.req.header('x-signature-timestamp'), Date.now());
    if (check !== 'ok') {
      log('warn', { event: 'hook_rejected', hook: 'support-ticket', reason: check });
      return problem(c, 'invalid_signature', SIGNATURE_REFUSALS[check]);
    }
    recordOutcome(c.env, c.executionCtx, { k: 'ticket', n: 1, at: Date.now(), delivery: await ticketDeliveryKey(body) });
    return c.json({ accepted: 1 }, 202);
  })
  .post('/_switchback/hooks/auth0-log-stream', async (c) => {
    const token = c.var.config.auth0LogStreamToken;
    if (!token) return problem(c, 'not_found', 'The Auth0 log-stream hook is not configured (AUTH0_LOG_STREAM_TOKEN).');
    // Its entries count as the legacy role's logins: only when that role is Auth0.
    if (c.var.config.providers[LEGACY].kind !== 'auth0') return problem(c, 'not_found', 'The Auth0 log-stream hook is closed: the legacy provider is not Auth0 (LEGACY_PROVIDER).');
    if (!tokenMatches(token, c.req.header('authorization'))) return problem(c, 'unauthorized', 'Wrong or missing Authorization token.');
    const body = await rawBody(c);
    if (body instanceof Response) return body;
    let logs: unknown;
    try {
      logs = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return problem(c, 'invalid_json', 'The body is not valid JSON.');
    }
    const list = Array.isArray(logs) ? logs : [logs];
    let accepted = 0;
    const at = Date.now();
    for (const entry of list) {
      const type = (entry as { data?: { type?: unknown } })?.data?.type;
      if (typeof type !== 'string') continue;
      const outcome = AUTH0_SUCCESS.has(type) ? 'succeeded' : AUTH0_FAILURE.has(type) ? 'failed' : undefined;
      if (!outcome) continue;
      // One event per entry, keyed by its log_id: a batch Auth0 sends again counts once.
      recordOutcome(c.env, c.executionCtx, { k: 'provider_login', provider: LEGACY, outcome, source: 'auth0-log-stream', n: 1, at, delivery: await auth0LogDeliveryKey(entry) });
      accepted++;
    }
    return c.json({ accepted, ignored: list.length - accepted }, 202);
  })
  .post('/_switchback/hooks/kratos-after-login', async (c) => {
    const token = c.var.config.kratosHookToken;
    if (!token) return problem(c, 'not_found', 'The Kratos after-login hook is not configured (KRATOS_HOOK_TOKEN).');
    if (!tokenMatches(token, c.req.header('authorization'))) return problem(c, 'unauthorized', 'Wrong or missing Authorization token.');
    const body = await rawBody(c);
    if (body instanceof Response) return body;
    recordOutcome(c.env, c.executionCtx, { k: 'provider_login', provider: TARGET, outcome: 'succeeded', source: 'kratos-after-login', n: 1, at: Date.now(), delivery: await kratosLoginDeliveryKey(body) });
    return c.json({ accepted: 1 }, 202);
  })
  .post('/_switchback/hooks/olympus-registration', async (c) => {
    const token = c.var.config.kratosHookToken;
    if (!token) return problem(c, 'not_found', 'The Olympus registration hook is not configured (KRATOS_HOOK_TOKEN).');
    if (!tokenMatches(token, c.req.header('authorization'))) return problem(c, 'unauthorized', 'Wrong or missing Authorization token.');
    const body = await rawBody(c);
    if (body instanceof Response) return body;
    let signup;
    try {
      signup = parseSignupPayload(JSON.parse(new TextDecoder().decode(body)));
    } catch (err) {
      const message = err instanceof SignupPayloadError ? err.message : 'The body is not valid JSON.';
      return problem(c, 'invalid_request', message);
    }
    try {
      const { captured } = await controller(c.env).captureSignup(signup);
      return c.json({ captured, id: signup.id }, captured ? 201 : 200);
    } catch (err) {
      log('error', { event: 'signup_capture_failed', reason: 'controller_unreachable', error: String(err) });
      return problem(c, 'temporarily_unavailable', 'The signup could not be recorded; retry.');
    }
  });
