/**
 * Bounded polling for e2e tests: wait for a condition instead of sleeping a
 * fixed time, and fail with what was last seen when the bound is reached.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
}

/** Calls `probe` until it returns something other than undefined; `describe` names the last miss in the error. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: PollOptions,
  describe: () => string = () => 'no detail',
): Promise<{ value: T; elapsedMs: number }> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, elapsedMs: Date.now() - started };
    if (Date.now() >= deadline) throw new Error(`${what}: not reached within ${options.timeoutMs} ms (last: ${describe()})`);
    await sleep(options.intervalMs ?? 100);
  }
}
