/**
 * The callback's one synchronous question to the controller: is this the
 * first callback of this login transaction? A login counts once; a replayed
 * login cookie is refused before anything is counted or redeemed.
 *
 * Fail open for telemetry only: if the controller does not answer within
 * SETTLE_TIMEOUT_MS the login goes on (a lost count never blocks a login),
 * but its outcome is not counted, since nothing proves it is the first.
 */
import type { Env } from '../env.ts';
import { controller } from '../rollback/controller-client.ts';

const SETTLE_TIMEOUT_MS = 500;

export type Settlement =
  | { settlement: 'first' }
  | { settlement: 'replayed' }
  /** The controller could not say: go on with the login, count nothing. */
  | { settlement: 'unknown'; reason: 'controller_timeout' | 'controller_unreachable' };

class SettleTimeout extends Error {}

export async function settleLogin(env: Env, id: string): Promise<Settlement> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new SettleTimeout()), SETTLE_TIMEOUT_MS)));
  try {
    const { first } = await Promise.race([controller(env).settleLogin(id), timeout]);
    return first === true ? { settlement: 'first' } : { settlement: 'replayed' };
  } catch (err) {
    return { settlement: 'unknown', reason: err instanceof SettleTimeout ? 'controller_timeout' : 'controller_unreachable' };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
