/**
 * Reads the gateway's own log (wrangler's output, where the worker's warn and
 * error lines land) so a test can check that no request ended in the
 * gateway's catch-all 500 handler, whatever the page in front of it showed.
 */
import type { Stack } from '../../../dev/stack.ts';

/** Lines of the worker's catch-all handler (`app.onError`) written since `before` was taken from gatewayOutput(). */
export function unhandledErrorsSince(stack: Stack, before: string): string[] {
  const now = stack.gatewayOutput();
  // The output is a sliding window: when it moved, look at all of it.
  const fresh = now.startsWith(before) ? now.slice(before.length) : now;
  return fresh.split('\n').filter((line) => line.includes('"event":"unhandled_error"'));
}
