/**
 * The rollback command's claims, in one place and pure: it must never say
 * "delivered" when the gateway has no receiver to deliver to, nor "within
 * the target" for a run that failed or took longer.
 */

/** What the notify step says once the outbox is empty. `receivers` undefined: a gateway too old to say. */
export function notifyDetail(rolledBack: boolean | undefined, receivers: readonly string[] | undefined, waitedMs: number): string {
  const head = `gateway outbox empty after ${waitedMs} ms`;
  if (!rolledBack) return `${head}: nothing new to send (nothing was flipped)`;
  if (receivers === undefined) return `${head}: rollback.triggered and rollback.completed left the outbox`;
  return `${head}: rollback.triggered and rollback.completed delivered to ${receivers.join(' and ')}`;
}

/** The notify step when the gateway has nowhere to send notifications. */
export const NO_RECEIVER =
  'no receiver configured (NOTIFY_WEBHOOK_URL, or ONCALL_EMAIL with NOTIFY_EMAIL_FROM/NOTIFY_EMAIL_TO): nothing was sent; tell the on-call channel yourself';

/** The verdict after "Total: N ms". */
export function totalVerdict(totalMs: number, targetMs: number, ok: boolean): string {
  const target = `${targetMs / 1000} s target`;
  if (totalMs > targetMs) return `OVER the ${target} by ${totalMs - targetMs} ms`;
  if (!ok) return `FAILED, so not within the ${target}`;
  return `within the ${target}`;
}
