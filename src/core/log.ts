/**
 * Structured log lines (one JSON object per line, Workers Logs and `wrangler
 * tail` index them). Every rejection carries a `reason` from the same
 * vocabulary the tests and counters use; token values and secrets are never
 * passed in, only their kind and the claim at fault.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  event: string;
  reason?: string;
  [field: string]: unknown;
}

export function log(level: LogLevel, fields: LogFields): void {
  const line = JSON.stringify({ level, ts: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
