/** The --from/--to window of a reconcile: validated before any write. */
import { SwitchbackError } from '../core/errors.ts';

export class WindowError extends SwitchbackError {
  readonly code = 'ERR_RECONCILE_WINDOW';
}

export interface ReconcileWindow {
  from: Date;
  to: Date;
}

export function parseWindow(from: string | undefined, to: string | undefined): ReconcileWindow {
  if (!from) throw new WindowError('--from is required (ISO 8601, e.g. 2026-11-01T00:00:00Z) unless the gateway knows the migration start');
  if (!to) throw new WindowError('--to is required (ISO 8601) unless the gateway recorded a rollback_at');
  const f = new Date(from);
  const t = new Date(to);
  if (Number.isNaN(f.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(from)) throw new WindowError(`--from ${JSON.stringify(from)} is not an ISO 8601 time`);
  if (Number.isNaN(t.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(to)) throw new WindowError(`--to ${JSON.stringify(to)} is not an ISO 8601 time`);
  if (t.getTime() <= f.getTime()) throw new WindowError(`--to (${t.toISOString()}) must be after --from (${f.toISOString()})`);
  return { from: f, to: t };
}

/** Inclusive of both ends: an identity created at the rollback instant is brought back. */
export function inWindow(createdAt: string, w: ReconcileWindow): boolean {
  const t = Date.parse(createdAt);
  return t >= w.from.getTime() && t <= w.to.getTime();
}
