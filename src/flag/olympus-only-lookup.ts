/**
 * Asks the controller whether an email belongs to an Olympus-only user (the
 * `signups` table, filled by the Olympus registration hook). Used by /login
 * only when the cohort would send the browser to Auth0 while Olympus is
 * enabled.
 *
 * What it leaks: the only observable effect is which provider the browser is
 * redirected to; /login's per-client rate limit bounds how many emails a
 * client can try. Fail safe: no answer within 500 ms means "not known", so
 * the cohort decides, as before.
 */
import type { Env } from '../env.ts';
import { log } from '../core/log.ts';
import { controller } from '../rollback/controller-client.ts';

const LOOKUP_TIMEOUT_MS = 500;

export async function isOlympusOnlyUser(env: Env, email: string): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('controller timeout')), LOOKUP_TIMEOUT_MS)));
  try {
    return (await Promise.race([controller(env).isOlympusOnlyUser(email), timeout])) === true;
  } catch (err) {
    log('warn', { event: 'signup_lookup_failed', reason: 'controller_unreachable', error: String(err) });
    return false;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
