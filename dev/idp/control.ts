// Test/benchmark control plane of a local IdP: failure injection (for rollback
// tests) and per-endpoint request counters (for benchmarks), under /_control.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http-util.ts';

export interface IdpMode {
  /** true: every login ends with error=access_denied; "hang": the login form never succeeds. */
  failLogins: boolean | 'hang';
  /** Extra latency added to every non-control request, in milliseconds. */
  delayMs: number;
  /** When true every non-control request gets 503 (IdP outage). */
  unavailable: boolean;
}

export const STAT_NAMES = [
  'discovery',
  'jwks',
  'authorization',
  'token',
  'introspection',
  'userinfo',
  'end_session',
  'revocation',
  'interaction',
  'other',
] as const;
export type StatName = (typeof STAT_NAMES)[number];
export type IdpStats = Record<StatName, number>;

export function defaultMode(): IdpMode {
  return { failLogins: false, delayMs: 0, unavailable: false };
}

export function emptyStats(): IdpStats {
  return Object.fromEntries(STAT_NAMES.map((n) => [n, 0])) as IdpStats;
}

/** Applies a partial mode update after validating it; returns an error message or undefined. */
export function applyModeUpdate(mode: IdpMode, update: unknown): string | undefined {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) return 'body must be a JSON object';
  const u = update as Record<string, unknown>;
  for (const key of Object.keys(u)) {
    if (!['failLogins', 'delayMs', 'unavailable'].includes(key)) return `unknown mode key: ${key}`;
  }
  if ('failLogins' in u && typeof u.failLogins !== 'boolean' && u.failLogins !== 'hang') {
    return 'failLogins must be true, false or "hang"';
  }
  if ('delayMs' in u && (typeof u.delayMs !== 'number' || !Number.isFinite(u.delayMs) || u.delayMs < 0)) {
    return 'delayMs must be a non-negative number';
  }
  if ('unavailable' in u && typeof u.unavailable !== 'boolean') return 'unavailable must be a boolean';
  Object.assign(mode, u);
  return undefined;
}

/** Handles /_control/* requests. Returns false when the path is not a control path. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  state: { mode: IdpMode; stats: IdpStats },
): Promise<boolean> {
  if (!pathname.startsWith('/_control/')) return false;
  const [status, body] = await controlResponse(req, pathname, state);
  sendJson(res, status, body);
  return true;
}

async function controlResponse(
  req: IncomingMessage,
  pathname: string,
  state: { mode: IdpMode; stats: IdpStats },
): Promise<[number, unknown]> {
  const route = `${req.method} ${pathname}`;
  switch (route) {
    case 'GET /_control/mode':
      return [200, state.mode];
    case 'POST /_control/mode': {
      let parsed: unknown;
      try {
        parsed = JSON.parse((await readBody(req)) || '{}');
      } catch {
        return [400, { error: 'invalid JSON' }];
      }
      const problem = applyModeUpdate(state.mode, parsed);
      return problem ? [400, { error: problem }] : [200, state.mode];
    }
    case 'GET /_control/stats':
      return [200, state.stats];
    case 'DELETE /_control/stats':
      Object.assign(state.stats, emptyStats());
      return [200, state.stats];
    default:
      return [404, { error: `unknown control endpoint ${route}` }];
  }
}
