/**
 * The operator console at /_switchback/console: served by the worker itself
 * (no separate deployment). The page reads and acts through the admin API
 * (/_switchback/api) with the console's session cookie, so every number and
 * every permission is the API's; this module only signs people in and out
 * and serves the page (its files are Workers Static Assets).
 *
 * Sign-in: Cloudflare Access where configured (its cookie is accepted as
 * is); otherwise an admin API token typed once into the sign-in form and
 * exchanged for a sealed session cookie (src/admin/console-session.ts).
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { accessIdentity } from '../admin/admin-http.ts';
import { adminTokenEntryFor, type AdminActor } from '../admin/admin-auth.ts';
import { csrfMatches, endConsoleSession, readConsoleSession, startConsoleSession } from '../admin/console-session.ts';
import { isCrossOriginBrowserRequest } from '../admin/fetch-metadata.ts';
import { readBounded } from '../http/bounded-body.ts';
import { problem } from '../http/problem.ts';
import { clientKey } from '../telemetry/client-key.ts';
import { log } from '../core/log.ts';
import { CONSOLE_ASSET_DIR, CONSOLE_PATH } from '../console/console-assets.ts';
import { CONSOLE_HEADERS, CONSOLE_SIGN_IN_PATH, CONSOLE_SIGN_OUT_PATH, consolePage, signInPage } from '../console/console-pages.ts';

/** The sign-in form's body: a token of at most 512 characters, form-encoded. */
const MAX_SIGN_IN_BYTES = 2048;

async function signedIn(c: Context<AppEnv>): Promise<{ actor: AdminActor; csrf?: string } | undefined> {
  const config = c.var.config;
  const session = await readConsoleSession(c, config);
  // A token changed to role mirror since its session began: the console is not its (every API call would be refused anyway).
  if (session?.actor.role === 'mirror') return undefined;
  if (session) return { actor: session.actor, csrf: session.csrf };
  const actor = await accessIdentity(c, config);
  return actor ? { actor } : undefined;
}

function signInForm(c: Context<AppEnv>, status: 200 | 400 | 401 | 403 | 413 | 429, message?: string) {
  return c.html(signInPage({ message, accessConfigured: c.var.config.access !== undefined }), status, CONSOLE_HEADERS);
}

export const consoleRoutes = new Hono<AppEnv>()
  .get(CONSOLE_PATH, async (c) => {
    const who = await signedIn(c);
    if (!who) return c.redirect(CONSOLE_SIGN_IN_PATH, 303);
    return c.html(consolePage(who.actor, who.csrf), 200, CONSOLE_HEADERS);
  })
  .get(`${CONSOLE_PATH}/`, (c) => c.redirect(CONSOLE_PATH, 301))
  .get(CONSOLE_SIGN_IN_PATH, (c) => signInForm(c, 200))
  .post(CONSOLE_SIGN_IN_PATH, async (c) => {
    const config = c.var.config;
    // Login CSRF: another site must not sign this browser into someone else's console.
    if (isCrossOriginBrowserRequest(c.req.header('sec-fetch-site'))) return signInForm(c, 403, 'This sign-in came from another site and was refused.');
    const client = await clientKey(c.req.raw, config);
    if (c.env.LOGIN_RATE_LIMITER) {
      const { success } = await c.env.LOGIN_RATE_LIMITER.limit({ key: `console:${client}` }).catch(() => ({ success: true }));
      if (!success) {
        log('warn', { event: 'console_sign_in_rate_limited', reason: 'rate_limited', client });
        return signInForm(c, 429, 'Too many sign-in attempts from this network; wait a minute and try again.');
      }
    }
    if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header('content-type') ?? '')) return signInForm(c, 400, 'Sign in with the form on this page.');
    const body = await readBounded(c.req.raw, MAX_SIGN_IN_BYTES);
    if (!body.ok) return signInForm(c, 413, 'The sign-in form was too large.');
    const token = new URLSearchParams(new TextDecoder().decode(body.bytes)).get('token')?.trim() ?? '';
    const entry = token ? await adminTokenEntryFor(token, config.adminTokens) : undefined;
    if (!entry) {
      log('warn', { event: 'console_sign_in_refused', reason: 'unknown_token', client });
      return signInForm(c, 401, 'That token is not one of this gateway\'s admin tokens.');
    }
    if (entry.role === 'mirror') {
      log('warn', { event: 'console_sign_in_refused', reason: 'mirror_token', actor: entry.name, client });
      return signInForm(c, 403, 'That is switchback mirror\'s token: it sends the mirror\'s heartbeat and cannot sign in to the console.');
    }
    await startConsoleSession(c, config, entry, Date.now());
    log('info', { event: 'console_signed_in', actor: entry.name, role: entry.role });
    return c.redirect(CONSOLE_PATH, 303);
  })
  .post(CONSOLE_SIGN_OUT_PATH, async (c) => {
    const config = c.var.config;
    const session = await readConsoleSession(c, config);
    // Signing someone out is a change too: a cross-site form must not do it.
    if (session && (isCrossOriginBrowserRequest(c.req.header('sec-fetch-site')) || !csrfMatches(c, session))) {
      return problem(c, 'csrf_token_invalid', 'Signing out needs the session\'s CSRF token; reload the console and try again.');
    }
    endConsoleSession(c, config);
    if (session) log('info', { event: 'console_signed_out', actor: session.actor.name });
    return c.body(null, 204, { 'cache-control': 'no-store' });
  })
  // The files are Workers Static Assets, answered before the worker runs; a name
  // that is not one of them ends here rather than at the origin.
  .get(`${CONSOLE_ASSET_DIR}/:file`, (c) => problem(c, 'not_found', 'No such console file.'));
