/**
 * The identity of a client for the rollback rules: a short hash of its IP
 * (never the IP itself). Per-client caps and the distinct-client minimum are
 * computed on it, so one scripted source weighs like one client.
 */
import { sha256, toHex } from '../core/bytes.ts';

const cache = new Map<string, string>();

export async function clientKey(req: Request, header: string): Promise<string> {
  // The last entry: with a list header (X-Forwarded-For) only the one the trusted proxy appended can't be forged.
  const ip = (req.headers.get(header) ?? '').split(',').at(-1)!.trim().slice(0, 64) || 'unknown';
  const hit = cache.get(ip);
  if (hit) return hit;
  const key = toHex((await sha256(`switchback-client:${ip}`)).slice(0, 8));
  if (cache.size > 10_000) cache.clear();
  cache.set(ip, key);
  return key;
}

/** The id that ties a /login to its /callback, derived from the state (never the state itself). */
export async function loginId(state: string): Promise<string> {
  return toHex((await sha256(`switchback-login:${state}`)).slice(0, 12));
}
