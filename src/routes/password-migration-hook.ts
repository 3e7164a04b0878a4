/**
 * POST /_switchback/hooks/password-migration: Ory Kratos's password migration
 * hook. An identity imported into Olympus with
 * `credentials.password.config.use_password_migration_hook: true` and no hash
 * makes Kratos call this at the user's first sign-in with the identifier and
 * the password; the answer decides the sign-in, and on a match Kratos stores
 * its own hash (no hash is ever converted). Contract
 * (selfservice/hook/password_migration_hook.go): 200
 * `{"status": "password_match"}` lets the user in, 403 means wrong
 * credentials, any other status shows the user "a third-party upstream
 * service responded improperly", so it is kept for real failures.
 *
 * Pipeline: key (Authorization, constant time; 404 when not configured) ->
 * bounded body -> abuse limits -> the legacy provider's check -> outcome
 * counted for the rollback rules (password_migration_error_rate) -> answer.
 * The password goes to the legacy provider and nowhere else: not a log line,
 * not a counter, not an error, not a response.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { tokenMatches } from '../admin/hook-auth.ts';
import { readBounded } from '../http/bounded-body.ts';
import { problem } from '../http/problem.ts';
import { log } from '../core/log.ts';
import { clientNetwork, networkKey } from '../telemetry/client-key.ts';
import { recordOutcome } from '../telemetry/outcome-recorder.ts';
import type { PasswordMigrationOutcome } from '../rollback/outcome-events.ts';
import { isRefusal, MAX_HOOK_BODY_BYTES, parsePasswordHookRequest } from '../password-migration/hook-request.ts';
import { checkAbuseLimits, identifierKey } from '../password-migration/abuse-limits.ts';
import { legacyPasswordCheck } from '../password-migration/legacy-password-checks.ts';
import type { PasswordCheckResult } from '../password-migration/password-check.ts';

export const PASSWORD_MIGRATION_PATH = '/_switchback/hooks/password-migration';

/** Each outcome's answer to Kratos, written out: a new outcome does not compile until placed. */
const ANSWERS = {
  match: (c) => c.json({ status: 'password_match' }, 200, { 'cache-control': 'no-store' }),
  mismatch: (c) => problem(c, 'forbidden', 'The legacy provider did not accept these credentials.'),
  upstream_error: (c) => problem(c, 'temporarily_unavailable', 'The legacy provider could not check the password; try again shortly.'),
  rate_limited: (c) => {
    c.header('retry-after', '60');
    return problem(c, 'too_many_requests', 'Too many attempts for this account or client; try again in a minute.');
  },
} satisfies Record<PasswordMigrationOutcome, (c: Context<AppEnv>) => Response>;

export const passwordMigrationHook = new Hono<AppEnv>().post(PASSWORD_MIGRATION_PATH, async (c) => {
  const options = c.var.config.passwordMigration;
  if (!options) return problem(c, 'not_found', 'The password migration hook is not configured (PASSWORD_HOOK_API_KEY).');
  if (!tokenMatches(options.apiKey, c.req.header('authorization'))) {
    log('warn', { event: 'hook_rejected', hook: 'password-migration', reason: 'unauthorized' });
    return problem(c, 'unauthorized', 'Wrong or missing Authorization key.');
  }
  const body = await readBounded(c.req.raw, MAX_HOOK_BODY_BYTES);
  if (!body.ok) {
    log('warn', { event: 'hook_rejected', hook: 'password-migration', reason: 'payload_too_large' });
    return problem(c, 'payload_too_large', `The body must be at most ${MAX_HOOK_BODY_BYTES} bytes.`);
  }
  const request = parsePasswordHookRequest(body.bytes, options.clientIpHeader);
  if (isRefusal(request)) {
    log('warn', { event: 'hook_rejected', hook: 'password-migration', reason: request.code });
    return problem(c, request.code, request.message);
  }
  const started = Date.now();
  const account = await identifierKey(request.identifier);
  const client = await networkKey(clientNetwork(request.clientAddress ?? null, c.var.config.clientIpv6Prefix));
  const limit = await checkAbuseLimits(c.env, account, request.clientAddress === undefined ? undefined : client);
  const result: PasswordCheckResult =
    limit === 'ok'
      ? await legacyPasswordCheck(options).check(request.identifier, request.password, request.clientAddress, started + options.timeoutMs)
      : { outcome: limit === 'limiter_unavailable' ? 'upstream_error' : 'rate_limited', reason: limit };
  recordOutcome(c.env, c.executionCtx, { k: 'password_migration', outcome: result.outcome, client, n: 1, at: Date.now() });
  log(result.outcome === 'match' || result.outcome === 'mismatch' ? 'info' : 'warn', {
    event: 'password_migration',
    outcome: result.outcome,
    reason: result.reason,
    legacy: options.legacy,
    account,
    client,
    forwarded: request.clientAddress !== undefined,
    ms: Date.now() - started,
  });
  return ANSWERS[result.outcome](c);
});
