/**
 * The mirror's own small HTTP surface, for Kratos to call directly:
 *
 * - POST /hooks/kratos: Kratos's after-registration and after-settings web
 *   hooks (body `function(ctx) { identity: ctx.identity }`, `auth: api_key`
 *   in the Authorization header = MIRROR_HOOK_TOKEN, compared in constant
 *   time). A trigger only: the identity id goes on the queue, and the mirror
 *   reads the identity (with its hash, which no hook carries) from the admin
 *   API. Answers 202 at once, also when the backlog is full (the sweep finds
 *   the identity later): configure the hook with `response.ignore: true` so a
 *   slow or down mirror never blocks a sign-up.
 * - GET /healthz: the mirror's snapshot (lag, backlog, last sweep), no secrets.
 *
 * Closed (404) when MIRROR_HOOK_TOKEN is not set; bodies are bounded.
 */
import { Hono } from 'hono';
import { tokenMatches } from '../../src/admin/hook-auth.ts';
import { readBounded } from '../../src/http/bounded-body.ts';
import type { Mirror } from '../../src/mirror/mirror.ts';
import { parseSignupPayload, SignupPayloadError } from '../../src/reconcile/signup-record.ts';

const MAX_HOOK_BYTES = 64 * 1024;

export function mirrorHookApp(mirror: () => Mirror | undefined, hookToken: string | undefined) {
  return new Hono()
    .post('/hooks/kratos', async (c) => {
      if (!hookToken) return c.json({ error: 'not_found', detail: 'The hook endpoint is closed: MIRROR_HOOK_TOKEN is not set.' }, 404);
      if (!tokenMatches(hookToken, c.req.header('authorization'))) return c.json({ error: 'unauthorized', detail: 'Wrong or missing Authorization token.' }, 401);
      const body = await readBounded(c.req.raw, MAX_HOOK_BYTES);
      if (!body.ok) return c.json({ error: 'payload_too_large', detail: `The body must be at most ${MAX_HOOK_BYTES} bytes.` }, 413);
      let signup;
      try {
        signup = parseSignupPayload(JSON.parse(new TextDecoder().decode(body.bytes)));
      } catch (err) {
        return c.json({ error: 'invalid_request', detail: err instanceof SignupPayloadError ? err.message : 'The body is not valid JSON.' }, 400);
      }
      const m = mirror();
      if (!m) return c.json({ error: 'temporarily_unavailable', detail: 'The mirror is starting.' }, 503);
      const queued = m.enqueue(signup.id, 'hook', undefined, signup.created_at);
      return c.json({ queued, id: signup.id, ...(queued ? {} : { detail: 'backlog full: the next sweep picks it up' }) }, 202);
    })
    .get('/healthz', (c) => {
      const m = mirror();
      return m ? c.json(m.snapshot(), 200, { 'cache-control': 'no-store' }) : c.json({ starting: true }, 503);
    });
}
